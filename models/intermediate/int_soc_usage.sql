{#- Allocated usage rolled up the SOC hierarchy (occupation -> detailed -> broad -> minor ->
    major), for all conversations (collaboration_pattern = 'all') and per pattern: the
    conversations of int_soc_conversations, and n_users, the distinct users with a conversation
    allocated to the node (null in AEI mode): the rows of int_soc_users, one per (period, node,
    user), and of them those with the pattern in their pattern_mask. A node with a single child
    has its child's figures (int_soc_nodes). Incremental by period (macros/incremental): a run
    recomputes the periods its labels touch, `all` from the all-time (node, user) pairs. -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set patterns = collaboration_patterns() %}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

with {{ changed_units_cte(by_user=false) }}

{{ soc_source_figures_ctes(unit) }},

-- the conversations per pattern and in all, with the node's users in each
source_patterns as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        'all' as collaboration_pattern,
        sum(n_conversations) as n_conversations
    from conversations
    group by period_grain, period_start, soc_level, soc_code

    union all

    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        collaboration_pattern,
        n_conversations
    from conversations
    where collaboration_pattern is not null
),

sources as (
    select
        source_patterns.*,
        node_figures.last_loaded_at,
        {% if aei -%}
            cast(null as {{ dbt.type_bigint() }})
        {%- else -%}
            case source_patterns.collaboration_pattern
                when 'all' then node_figures.users_all
                {% for pattern in patterns -%}
                    when '{{ pattern }}' then node_figures.users_{{ pattern }}
                {% endfor -%}
            end
        {%- endif %} as n_users
    from source_patterns
    inner join node_figures
        on
            source_patterns.period_grain = node_figures.period_grain
            and source_patterns.period_start = node_figures.period_start
            and source_patterns.soc_level = node_figures.soc_level
            and source_patterns.soc_code = node_figures.soc_code
)

-- every node, with the figures of its source (itself or, through single children, a descendant)
select
    sources.period_grain,
    sources.period_start,
    soc_nodes.soc_level,
    soc_nodes.soc_code,
    soc_nodes.parent_soc_code,
    sources.collaboration_pattern,
    cast(sources.n_conversations as {{ type_double() }}) as n_conversations,
    cast(sources.n_users as {{ dbt.type_bigint() }}) as n_users,
    sources.last_loaded_at
from sources
inner join {{ ref('int_soc_nodes') }} as soc_nodes
    on
        sources.soc_level = soc_nodes.source_level
        and sources.soc_code = soc_nodes.source_code

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
