{#- The collaboration cells of pub_index_cells, one row per period x level x node (total
    included), the six patterns as columns. A suppressed pattern is null; an absent pattern cell
    means no conversation (0, as in the long table). Automation (directive + feedback_loop) and
    augmentation (task_iteration + validation + learning) shares on the five-pattern base are
    computed only when all five counts are visible, never renormalised over the visible ones. -#}
{%- set patterns = collaboration_patterns() %}
{%- set five = automation_patterns() + augmentation_patterns() %}
{%- set node_columns = ['period_grain', 'period_start', 'level', 'node_id', 'node_title',
                        'parent_level', 'parent_id'] %}

with pattern_cells as (
    select
        {{ node_columns | join(', ') }},
        variable,
        n_conversations,
        pct,
        case when is_suppressed then 1 else 0 end as is_hidden
    from {{ ref('pub_index_cells') }}
    where facet = 'collaboration'
),

nodes as (
    select
        {{ node_columns | join(', ') }},
        {% for pattern in patterns %}
            max(case when variable = '{{ pattern }}' then pct end)
                as {{ pattern }}_visible_pct,
            max(case when variable = '{{ pattern }}' then n_conversations end)
                as {{ pattern }}_visible_n,
            max(case when variable = '{{ pattern }}' then is_hidden else 0 end)
                as {{ pattern }}_is_hidden
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from pattern_cells
    group by {{ node_columns | join(', ') }}
),

patterns_wide as (
    select
        {{ node_columns | join(', ') }},
        {% for pattern in patterns %}
            case
                when {{ pattern }}_is_hidden = 0 then coalesce({{ pattern }}_visible_pct, 0)
            end as {{ pattern }}_pct_of_node,
            case
                when {{ pattern }}_is_hidden = 0 then coalesce({{ pattern }}_visible_n, 0)
            end as {{ pattern }}_n_conversations,
        {% endfor %}
        {{ sum_of_pattern_columns(patterns, '_is_hidden') }} as n_patterns_suppressed,
        {{ sum_of_pattern_columns(five, '_is_hidden') }} as n_five_pattern_base_suppressed
    from nodes
),

modes as (
    select
        *,
        {{ sum_of_pattern_columns(automation_patterns(), '_n_conversations') }}
            as automation_n_conversations,
        {{ sum_of_pattern_columns(augmentation_patterns(), '_n_conversations') }}
            as augmentation_n_conversations,
        {{ sum_of_pattern_columns(five, '_n_conversations') }} as five_pattern_n_conversations
    from patterns_wide
)

select
    {{ node_columns | join(', ') }},
    {% for pattern in patterns %}
        {{ pattern }}_pct_of_node,
        {{ pattern }}_n_conversations,
    {% endfor %}
    {% for mode in ['automation', 'augmentation'] %}
        case
            when n_five_pattern_base_suppressed = 0
                then
                    100.0 * {{ mode }}_n_conversations
                    / nullif(five_pattern_n_conversations, 0)
        end as {{ mode }}_pct_of_five_pattern_base,
    {% endfor %}
    cast(n_patterns_suppressed as {{ dbt.type_bigint() }}) as n_patterns_suppressed,
    n_patterns_suppressed = 0 as is_complete
from modes
