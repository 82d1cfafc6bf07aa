{#- One row per (period, SOC node, user) at every SOC node that is its own source in
    int_soc_nodes (every occupation, and every node above with two or more children), with the
    user's allocated conversations in all patterns and in each pattern as columns: the distinct
    (node, user) pairs int_soc_usage counts users from (user_key null in AEI mode). A node with a
    single child has the same rows as that child, so they are not written twice.

    Bounded memory: users are counted as rows of plain GROUP BYs, which the engine can spill,
    never with count(distinct) (DuckDB cannot spill it inside grouping sets, and a 1M
    conversation warehouse needed ~20 GiB). First one row per (period, occupation, user), then
    one SOC level at a time. A user's patterns stay on one row, so the all-pattern and
    per-pattern figures come from one pass. Incremental by (period, user), like
    int_period_user_tasks: all-time user counts stay exact without rereading the history. -#}
{%- set unit = ['period_grain', 'period_start', 'user_key'] %}
{%- set patterns = collaboration_patterns() %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

-- both modes' inputs, so that the DAG is the same in either:
-- depends_on: {{ ref('int_occupation_usage') }}, {{ ref('int_period_user_tasks') }}
-- depends_on: {{ ref('int_task_allocation') }}

with {{ changed_units_cte(by_user=true) }}

-- int_occupation_usage; in conversation mode allocated here from the changed units' user tasks
-- alone (a filter on the view's output would allocate every unit first)
occupation_usage as (
    {% if usage_source() == 'aei_release' %}
        select
            period_grain,
            period_start,
            user_key,
            collaboration_pattern,
            onet_soc_code,
            n_conversations,
            last_loaded_at
        from {{ ref('int_occupation_usage') }}
    {% else %}
        {{ allocated_user_tasks(rows_in_changed_units(ref('int_period_user_tasks'), unit)) }}
    {% endif %}
),

user_occupations as {{ cte_materialized() }} (
    select
        period_grain,
        period_start,
        onet_soc_code,
        user_key,
        sum(n_conversations) as n_all,
        {% for pattern in patterns -%}
            sum(
                case when collaboration_pattern = '{{ pattern }}' then n_conversations else 0 end
            ) as n_{{ pattern }},
        {% endfor -%}
        max(last_loaded_at) as last_loaded_at
    from occupation_usage
    group by period_grain, period_start, onet_soc_code, user_key
),

-- the nodes whose per-user rows are kept (the others are read through their single child)
own_nodes as (
    select
        soc_level,
        soc_code
    from {{ ref('int_soc_nodes') }}
    where source_level = soc_level
)

{% for soc in soc_levels() %}
    select
        user_occupations.period_grain,
        user_occupations.period_start,
        user_occupations.user_key,
        '{{ soc.level }}' as soc_level,
        occupations.{{ soc.code }} as soc_code,
        {% for pattern in ['all'] + patterns -%}
            sum(user_occupations.n_{{ pattern }}) as n_{{ pattern }},
        {% endfor -%}
        max(user_occupations.last_loaded_at) as last_loaded_at
    from user_occupations
    inner join {{ ref('stg_onet__occupations') }} as occupations
        on user_occupations.onet_soc_code = occupations.onet_soc_code
    {% if not loop.first -%}
        where occupations.{{ soc.code }} in (
            select own_nodes.soc_code
            from own_nodes
            where own_nodes.soc_level = '{{ soc.level }}'
        )
    {% endif -%}
    group by
        user_occupations.period_grain,
        user_occupations.period_start,
        user_occupations.user_key,
        occupations.{{ soc.code }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}

{% if is_incremental() %}
    {%- set columns = [
        ('soc_level', dbt.type_string()),
        ('soc_code', dbt.type_string()),
    ] %}
    {%- for pattern in ['all'] + patterns %}
        {%- do columns.append(('n_' ~ pattern, type_allocated_count())) %}
    {%- endfor %}
    union all
    {{ unit_tombstones(unit, columns) }}
{% endif %}
