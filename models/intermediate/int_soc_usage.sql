{#- Allocated usage rolled up the SOC hierarchy (occupation -> detailed -> broad -> minor ->
    major), for all conversations (collaboration_pattern = 'all') and per pattern. n_users counts
    the distinct users with a conversation allocated to the node (null in AEI mode): the rows of
    int_soc_users, one per (period, node, user), and of them those with a conversation in each
    pattern; a node with a single child has its child's figures (int_soc_nodes). Incremental by period (macros/incremental): a run recomputes the periods its labels
    touch, `all` from the all-time (node, user) pairs. -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set patterns = collaboration_patterns() %}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

with {{ changed_units_cte(by_user=false) }}

sources as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        sum(n_all) as n_all,
        count(*) as users_all,
        {% for pattern in patterns -%}
            sum(n_{{ pattern }}) as n_{{ pattern }},
            sum(case when n_{{ pattern }} > 0 then 1 else 0 end) as users_{{ pattern }},
        {% endfor -%}
        max(last_loaded_at) as last_loaded_at
    from {{ rows_in_changed_units(ref('int_soc_users'), unit) }}
    group by period_grain, period_start, soc_level, soc_code
),

-- every node, with the figures of its source (itself or, through single children, a descendant)
nodes as (
    select
        sources.*,
        soc_nodes.soc_level as node_level,
        soc_nodes.soc_code as node_code,
        soc_nodes.parent_soc_code
    from sources
    inner join {{ ref('int_soc_nodes') }} as soc_nodes
        on
            sources.soc_level = soc_nodes.source_level
            and sources.soc_code = soc_nodes.source_code
),

patterns as (
    {% for pattern in ['all'] + patterns %}
        select '{{ pattern }}' as collaboration_pattern
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

node_patterns as (
    select
        nodes.period_grain,
        nodes.period_start,
        nodes.node_level as soc_level,
        nodes.node_code as soc_code,
        nodes.parent_soc_code,
        patterns.collaboration_pattern,
        case patterns.collaboration_pattern
            {% for pattern in ['all'] + patterns -%}
                when '{{ pattern }}' then nodes.n_{{ pattern }}
            {% endfor -%}
        end as n_conversations,
        case patterns.collaboration_pattern
            {% for pattern in ['all'] + patterns -%}
                when '{{ pattern }}' then nodes.users_{{ pattern }}
            {% endfor -%}
        end as n_users,
        nodes.last_loaded_at
    from nodes
    cross join patterns
)

select
    period_grain,
    period_start,
    soc_level,
    soc_code,
    parent_soc_code,
    collaboration_pattern,
    cast(n_conversations as {{ type_double() }}) as n_conversations,
    {% if aei -%}
        cast(null as {{ dbt.type_bigint() }})
    {%- else -%}
        cast(n_users as {{ dbt.type_bigint() }})
    {%- endif %} as n_users,
    last_loaded_at
from node_patterns
where collaboration_pattern = 'all' or n_users > 0

{% if is_incremental() %}
    union all
    {{ unit_tombstones(unit, [
        ('soc_level', dbt.type_string()),
        ('soc_code', dbt.type_string()),
        ('parent_soc_code', dbt.type_string()),
        ('collaboration_pattern', dbt.type_string()),
        ('n_conversations', type_double()),
        ('n_users', dbt.type_bigint()),
    ]) }}
{% endif %}
