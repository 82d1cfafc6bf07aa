-- The periods of every grain together hold exactly the whole history (grain `all`).
with totals as (
    select
        period_grain,
        period_start,
        n_conversations
    from {{ ref('int_period_totals') }}
    where collaboration_pattern = 'all'
),

history as (
    select n_conversations
    from totals
    where period_grain = 'all'
),

by_grain as (
    select
        period_grain,
        sum(n_conversations) as n_conversations
    from totals
    group by period_grain
)

select
    by_grain.period_grain,
    by_grain.n_conversations,
    history.n_conversations as history_n_conversations
from by_grain
cross join history
where abs(by_grain.n_conversations - history.n_conversations) > 0.000001
