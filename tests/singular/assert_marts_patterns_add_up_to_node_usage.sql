{{ config(enabled=var('usage_source') == 'conversations') }}
-- Within every node and period, the collaboration cells add up to the node's usage cell
-- (each conversation has exactly one pattern). Not in AEI mode: the release's pattern and
-- task shares are separate publications with different bases.
with usage_cells as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        n_conversations
    from {{ ref('int_index_cells') }}
    where facet = 'usage' and level != 'task'
),

pattern_sums as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        sum(n_conversations) as n_conversations
    from {{ ref('int_index_cells') }}
    where facet = 'collaboration'
    group by period_grain, period_start, level, node_id
)

select
    usage_cells.period_grain,
    usage_cells.period_start,
    usage_cells.level,
    usage_cells.node_id,
    usage_cells.n_conversations as usage_n_conversations,
    pattern_sums.n_conversations as pattern_n_conversations
from usage_cells
left join pattern_sums
    on
        usage_cells.period_grain = pattern_sums.period_grain
        and usage_cells.period_start = pattern_sums.period_start
        and usage_cells.level = pattern_sums.level
        and usage_cells.node_id = pattern_sums.node_id
where
    pattern_sums.n_conversations is null
    or abs(usage_cells.n_conversations - pattern_sums.n_conversations)
    > 0.000001 * (1 + usage_cells.n_conversations)
