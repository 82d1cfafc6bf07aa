{#- How concentrated usage is across the taxonomy, per period and level (task rows,
    occupations): top-10 share (0-100), Herfindahl-Hirschman index (sum of squared shares, 0-1)
    and Gini coefficient (0-1) over ALL nodes of the taxonomy, unused ones counting as zero.
    Unused nodes are not materialised: with N nodes of which m are used, the used values sorted
    ascending take ranks N-m+1..N, and G = 2 * sum(rank * x) / (N * sum(x)) - (N + 1) / N. -#}
with node_usage as (
    select
        period_grain,
        period_start,
        'task' as level,
        onet_task_id as node_id,
        n_conversations
    from {{ ref('int_task_usage') }}
    union all
    select
        period_grain,
        period_start,
        'occupation' as level,
        soc_code as node_id,
        n_conversations
    from {{ ref('int_soc_usage') }}
    where soc_level = 'occupation' and collaboration_pattern = 'all'
),

taxonomy_sizes as (
    select
        'task' as level,
        count(*) as n_nodes
    from {{ ref('stg_onet__task_statements') }}
    union all
    select
        'occupation' as level,
        count(*) as n_nodes
    from {{ ref('stg_onet__occupations') }}
),

ranked as (
    select
        node_usage.period_grain,
        node_usage.period_start,
        node_usage.level,
        node_usage.n_conversations,
        taxonomy_sizes.n_nodes,
        row_number() over (
            partition by node_usage.period_grain, node_usage.period_start, node_usage.level
            order by node_usage.n_conversations desc, node_usage.node_id asc
        ) as rank_desc,
        count(*) over (
            partition by node_usage.period_grain, node_usage.period_start, node_usage.level
        ) as n_nodes_in_use,
        sum(node_usage.n_conversations) over (
            partition by node_usage.period_grain, node_usage.period_start, node_usage.level
        ) as level_total
    from node_usage
    inner join taxonomy_sizes
        on node_usage.level = taxonomy_sizes.level
    where node_usage.n_conversations > 0
)

select
    period_grain,
    period_start,
    level,
    max(n_nodes) as n_nodes,
    max(n_nodes_in_use) as n_nodes_in_use,
    max(level_total) as n_conversations,
    100.0 * sum(case when rank_desc <= 10 then n_conversations else 0 end) / max(level_total)
        as top10_share,
    sum((n_conversations / level_total) * (n_conversations / level_total)) as hhi,
    2.0 * sum((n_nodes - rank_desc + 1) * n_conversations) / (max(n_nodes) * max(level_total))
    - (max(n_nodes) + 1.0) / max(n_nodes) as gini
from ranked
group by period_grain, period_start, level
