{#- The collaboration cells of pub_index_cells, one row per period x level x node (total
    included): the six patterns and the two modes (automation, augmentation: cells of their
    own) as columns. A suppressed cell is null; an absent cell means no conversation (0, as in
    the long table). The automation and augmentation shares of the five-pattern base
    (automation + augmentation), with Wilson 95% intervals, come from the two mode cells' counts
    when both are visible, never from the patterns or renormalised over visible ones. The
    shares of the node's usage come from the mode cells themselves; when `none` is below k,
    augmentation is hidden and augmentation_or_none_pct_of_node = 100 - automation's share
    (usage - automation: no information beyond the two published cells) answers instead. -#}
{%- set patterns = collaboration_patterns() %}
{%- set modes = ['automation', 'augmentation'] %}
{%- set node_columns = ['period_grain', 'period_start', 'period_end', 'is_partial_period',
                        'level', 'node_id', 'node_title', 'parent_level', 'parent_id'] %}

with collaboration_cells as (
    select
        {{ node_columns | join(', ') }},
        variable,
        n_conversations,
        pct,
        ci_low,
        ci_high,
        case when is_suppressed then 1 else 0 end as is_hidden
    from {{ ref('pub_index_cells') }}
    where facet in ('collaboration', 'collaboration_mode')
),

nodes as (
    select
        {{ node_columns | join(', ') }},
        {% for pattern in patterns + modes %}
            max(case when variable = '{{ pattern }}' then pct end) as {{ pattern }}_visible_pct,
        {% endfor %}
        max(case when variable = 'automation' then ci_low end) as automation_visible_ci_low,
        max(case when variable = 'automation' then ci_high end) as automation_visible_ci_high,
        {% for variable in patterns + modes %}
            max(case when variable = '{{ variable }}' then n_conversations end)
                as {{ variable }}_visible_n,
            max(case when variable = '{{ variable }}' then is_hidden else 0 end)
                as {{ variable }}_is_hidden
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from collaboration_cells
    group by {{ node_columns | join(', ') }}
),

wide as (
    select
        {{ node_columns | join(', ') }},
        {% for pattern in patterns + modes %}
            case
                when {{ pattern }}_is_hidden = 0 then coalesce({{ pattern }}_visible_pct, 0)
            end as {{ pattern }}_pct_of_node,
        {% endfor %}
        {#- an absent automation cell (no automated conversation) is a share of 0 with no
            interval, as an absent pattern is #}
        case when automation_is_hidden = 0 then automation_visible_ci_low end
            as automation_ci_low_of_node,
        case when automation_is_hidden = 0 then automation_visible_ci_high end
            as automation_ci_high_of_node,
        {% for variable in patterns + modes %}
            case
                when {{ variable }}_is_hidden = 0 then coalesce({{ variable }}_visible_n, 0)
            end as {{ variable }}_n_conversations,
        {% endfor %}
        {{ sum_of_pattern_columns(patterns, '_is_hidden') }} as n_patterns_suppressed
    from nodes
),

five_pattern_base as (
    select
        *,
        nullif({{ sum_of_pattern_columns(modes, '_n_conversations') }}, 0)
            as five_pattern_n_conversations
    from wide
)

select
    {{ node_columns | join(', ') }},
    {% for pattern in patterns %}
        {{ pattern }}_pct_of_node,
        {{ pattern }}_n_conversations,
    {% endfor %}
    {% for mode in modes %}
        {%- set x = mode ~ '_n_conversations' %}
        {%- set n = 'five_pattern_n_conversations' %}
        {{ x }},
        100.0 * {{ x }} / {{ n }} as {{ mode }}_pct_of_five_pattern_base,
        {{ wilson_low(x, n) }} as {{ mode }}_ci_low,
        {{ wilson_high(x, n) }} as {{ mode }}_ci_high,
    {% endfor %}
    automation_pct_of_node,
    automation_ci_low_of_node,
    automation_ci_high_of_node,
    augmentation_pct_of_node,
    100.0 - automation_pct_of_node as augmentation_or_none_pct_of_node,
    cast(n_patterns_suppressed as {{ dbt.type_bigint() }}) as n_patterns_suppressed,
    n_patterns_suppressed = 0 as is_complete
from five_pattern_base
