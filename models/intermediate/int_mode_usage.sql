{#- Automation and augmentation, the AEI's two collaboration modes (macros/cross_db/
    collaboration.sql), per period and node (the total and every SOC level): the conversations
    in one of the mode's patterns and the distinct users with one (null in AEI mode). Counted
    from the same per-user rows as the patterns (int_soc_users; int_period_user_tasks for the
    total), so that each mode is a cell of its own in int_index_cells, not a sum of pattern
    cells that one hidden pattern would hide; a node with a single child has its child's
    figures (int_soc_nodes). Incremental by period, like int_soc_usage: a run
    reads only the per-user rows of the periods its labels touch, so closed periods are neither
    read nor rewritten. Grain: (period_grain, period_start, level, node_id, collaboration_mode). -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set modes = ['automation', 'augmentation'] %}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

with {{ changed_units_cte(by_user=false) }}

user_modes as (
    select
        period_grain,
        period_start,
        soc_level as level,
        soc_code as node_id,
        {{ sum_of_pattern_columns(automation_patterns(), '', 'n_') }} as n_automation,
        {{ sum_of_pattern_columns(augmentation_patterns(), '', 'n_') }} as n_augmentation,
        last_loaded_at
    from {{ rows_in_changed_units(ref('int_soc_users'), unit) }}

    union all

    {#- the total: one row per (period, user); in AEI mode the release's pattern shares #}
    select
        period_grain,
        period_start,
        'total' as level,
        'total' as node_id,
        sum(
            case when {{ is_automation('collaboration_pattern') }} then n_conversations else 0 end
        ) as n_automation,
        sum(
            case
                when {{ is_augmentation('collaboration_pattern') }} then n_conversations else 0
            end
        ) as n_augmentation,
        max(last_loaded_at) as last_loaded_at
    {%- if aei %}
        from {{ ref('int_period_totals') }}
        where collaboration_pattern != 'all'
        group by period_grain, period_start
    {%- else %}
        from {{ rows_in_changed_units(ref('int_period_user_tasks'), unit) }}
        group by period_grain, period_start, user_key
    {%- endif %}
),

source_modes as (
    {% for mode in modes %}
        select
            period_grain,
            period_start,
            level,
            node_id,
            '{{ mode }}' as collaboration_mode,
            sum(n_{{ mode }}) as n_conversations,
            sum(case when n_{{ mode }} > 0 then 1 else 0 end) as n_users,
            max(last_loaded_at) as last_loaded_at
        from user_modes
        group by period_grain, period_start, level, node_id
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- every SOC node with the figures of its source (int_soc_nodes: a single child's are its own)
modes as (
    select
        source_modes.period_grain,
        source_modes.period_start,
        coalesce(soc_nodes.soc_level, source_modes.level) as level,
        coalesce(soc_nodes.soc_code, source_modes.node_id) as node_id,
        source_modes.collaboration_mode,
        source_modes.n_conversations,
        source_modes.n_users,
        source_modes.last_loaded_at
    from source_modes
    left join {{ ref('int_soc_nodes') }} as soc_nodes
        on
            source_modes.level = soc_nodes.source_level
            and source_modes.node_id = soc_nodes.source_code
)

select
    period_grain,
    period_start,
    level,
    node_id,
    collaboration_mode,
    cast(n_conversations as {{ type_double() }}) as n_conversations,
    {% if aei -%}
        cast(null as {{ dbt.type_bigint() }})
    {%- else -%}
        cast(n_users as {{ dbt.type_bigint() }})
    {%- endif %} as n_users,
    last_loaded_at
from modes
where n_conversations > 0

{% if is_incremental() %}
    union all
    {{ unit_tombstones(unit, [
        ('level', dbt.type_string()),
        ('node_id', dbt.type_string()),
        ('collaboration_mode', dbt.type_string()),
        ('n_conversations', type_double()),
        ('n_users', dbt.type_bigint()),
    ]) }}
{% endif %}
