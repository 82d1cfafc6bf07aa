{#- Usage per SOC node and period, one row per node at each SOC level: the usage cells of
    pub_index_cells, nothing else (suppressed rows keep their row with null measures). -#}
select
    period_grain,
    period_start,
    level,
    node_id,
    node_title,
    parent_id,
    n_conversations,
    n_users,
    value as pct_of_classified,
    ci_low,
    ci_high,
    is_suppressed,
    suppression_reason
from {{ ref('pub_index_cells') }}
where
    facet = 'usage'
    and level in ('major', 'minor', 'broad', 'detailed', 'occupation')
