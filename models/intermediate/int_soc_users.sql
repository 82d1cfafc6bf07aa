{#- One row per (period, SOC node, user) at every SOC node that is its own source in
    int_soc_nodes (every occupation, and every node above with two or more children), with the
    patterns the user has a conversation in there as one integer (pattern_mask, macro
    has_pattern): the distinct (node, user) pairs int_soc_usage and int_mode_usage count users
    from (user_key null in AEI mode). A node with a single child has the same rows as that
    child, so they are not written twice. The allocated conversations are not per user: they
    are summed per node in int_soc_conversations, so these rows hold no decimal columns (13.5 M
    rows at 1 M conversations; seven decimal(38,12) sums made them the build's heaviest step).

    Bounded memory: users are counted as rows of plain GROUP BYs, which the engine can spill,
    never with count(distinct) (DuckDB cannot spill it inside grouping sets, and a 1M
    conversation warehouse needed ~20 GiB). First one row per (period, occupation, user), then
    one SOC level at a time. Incremental by (period, user), like int_period_user_tasks: all-time
    user counts stay exact without rereading the history. -#}
{%- set unit = ['period_grain', 'period_start', 'user_key'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

-- both modes' inputs, so that the DAG is the same in either:
-- depends_on: {{ ref('int_occupation_usage') }}, {{ ref('int_period_user_tasks') }}
-- depends_on: {{ ref('int_task_allocation') }}

with {{ changed_units_cte(by_user=true) }}

-- the occupations of the changed units' user tasks (in AEI mode int_occupation_usage, one row
-- per occupation without users or patterns)
occupation_rows as (
    {% if usage_source() == 'aei_release' %}
        select
            period_grain,
            period_start,
            user_key,
            collaboration_pattern,
            onet_soc_code,
            last_loaded_at
        from {{ ref('int_occupation_usage') }}
    {% else %}
        select
            user_tasks.period_grain,
            user_tasks.period_start,
            user_tasks.user_key,
            user_tasks.collaboration_pattern,
            allocation.onet_soc_code,
            user_tasks.last_loaded_at
        from {{ rows_in_changed_units(ref('int_period_user_tasks'), unit) }} as user_tasks
        inner join {{ ref('int_task_allocation') }} as allocation
            on user_tasks.onet_task_id = allocation.onet_task_id
    {% endif %}
),

user_occupations as {{ cte_materialized() }} (
    select
        period_grain,
        period_start,
        user_key,
        onet_soc_code,
        bit_or({{ pattern_bit('collaboration_pattern') }}) as pattern_mask,
        max(last_loaded_at) as last_loaded_at
    from occupation_rows
    group by period_grain, period_start, user_key, onet_soc_code
)

{{ rolled_up_to_source_nodes('user_occupations', ['period_grain', 'period_start', 'user_key'], [
    'bit_or(per_occupation.pattern_mask) as pattern_mask',
    'max(per_occupation.last_loaded_at) as last_loaded_at',
]) }}

{% if is_incremental() %}
    union all
    {{ unit_tombstones(unit, [
        ('soc_level', dbt.type_string()),
        ('soc_code', dbt.type_string()),
        ('pattern_mask', dbt.type_int()),
    ]) }}
{% endif %}
