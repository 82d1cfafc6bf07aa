{#- Pattern x SOC node intersections: the share of a node's conversations in each pattern.
    Empty in AEI mode (the release publishes no pattern x occupation figures). -#}
with node_patterns as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        collaboration_pattern,
        n_conversations,
        n_users
    from {{ ref('int_soc_usage') }}
    where collaboration_pattern != 'all'
)

select
    period_grain,
    period_start,
    soc_level,
    soc_code,
    collaboration_pattern,
    n_conversations,
    n_users,
    100.0 * n_conversations
    / sum(n_conversations) over (partition by period_grain, period_start, soc_level, soc_code)
        as pct_of_node,
    sum(n_conversations) over (partition by period_grain, period_start, soc_level, soc_code)
        as node_n_conversations
from node_patterns
