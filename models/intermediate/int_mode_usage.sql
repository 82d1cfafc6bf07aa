{#- Automation and augmentation, the AEI's two collaboration modes (macros/cross_db/
    collaboration.sql), per period and node (the total and every SOC level): the conversations
    in one of the mode's patterns and the distinct users with one (null in AEI mode). Counted
    from the same rows as the patterns (int_soc_conversations and int_soc_users;
    int_period_user_tasks for the total), so that each mode is a cell of its own in
    int_index_cells, not a sum of pattern cells that one hidden pattern would hide; a node with
    a single child has its child's figures (int_soc_nodes). Incremental by period, like
    int_soc_usage: a run reads only the rows of the periods its labels touch, so closed periods
    are neither read nor rewritten.
    Grain: (period_grain, period_start, level, node_id, collaboration_mode). -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set modes = collaboration_modes() %}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

with {{ changed_units_cte(by_user=false) }}

{{ soc_source_figures_ctes(unit) }},

source_modes as (
    {% for mode, mode_patterns in modes.items() %}
        select
            conversations.period_grain,
            conversations.period_start,
            conversations.soc_level,
            conversations.soc_code,
            '{{ mode }}' as collaboration_mode,
            sum(conversations.n_conversations) as n_conversations
        from conversations
        where {{ is_in_patterns('conversations.collaboration_pattern', mode_patterns) }}
        group by
            conversations.period_grain,
            conversations.period_start,
            conversations.soc_level,
            conversations.soc_code
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- every SOC node with the figures of its source (int_soc_nodes: a single child's are its own)
soc_modes as (
    select
        source_modes.period_grain,
        source_modes.period_start,
        soc_nodes.soc_level as level,
        soc_nodes.soc_code as node_id,
        source_modes.collaboration_mode,
        cast(source_modes.n_conversations as {{ type_double() }}) as n_conversations,
        {% if aei -%}
            cast(null as {{ dbt.type_bigint() }})
        {%- else -%}
            case source_modes.collaboration_mode
                {% for mode in modes -%}
                    when '{{ mode }}' then node_figures.users_{{ mode }}
                {% endfor -%}
            end
        {%- endif %} as n_users,
        node_figures.last_loaded_at
    from source_modes
    inner join node_figures
        on
            source_modes.period_grain = node_figures.period_grain
            and source_modes.period_start = node_figures.period_start
            and source_modes.soc_level = node_figures.soc_level
            and source_modes.soc_code = node_figures.soc_code
    inner join {{ ref('int_soc_nodes') }} as soc_nodes
        on
            source_modes.soc_level = soc_nodes.source_level
            and source_modes.soc_code = soc_nodes.source_code
),

-- the total: one row per (period, user); in AEI mode the release's pattern shares
user_totals as (
    select
        period_grain,
        period_start,
        {% for mode, mode_patterns in modes.items() -%}
            sum(
                case
                    when {{ is_in_patterns('collaboration_pattern', mode_patterns) }}
                        then n_conversations
                    else 0
                end
            ) as n_{{ mode }},
        {% endfor -%}
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

total_modes as (
    {% for mode in modes %}
        select
            period_grain,
            period_start,
            'total' as level,
            'total' as node_id,
            '{{ mode }}' as collaboration_mode,
            cast(sum(n_{{ mode }}) as {{ type_double() }}) as n_conversations,
            {% if aei -%}
                cast(null as {{ dbt.type_bigint() }})
            {%- else -%}
                sum(case when n_{{ mode }} > 0 then 1 else 0 end)
            {%- endif %} as n_users,
            max(last_loaded_at) as last_loaded_at
        from user_totals
        group by period_grain, period_start
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

modes as (
    select * from soc_modes
    union all
    select * from total_modes
)

select
    period_grain,
    period_start,
    level,
    node_id,
    collaboration_mode,
    n_conversations,
    cast(n_users as {{ dbt.type_bigint() }}) as n_users,
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
