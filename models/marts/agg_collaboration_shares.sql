{#- Collaboration-pattern shares per period: of all classified conversations, and of the
    five-pattern base (`none` left out, as the AEI reports them). -#}
with patterns as (
    select
        period_grain,
        period_start,
        collaboration_pattern,
        n_conversations,
        n_users
    from {{ ref('int_period_totals') }}
    where collaboration_pattern != 'all'
),

bases as (
    select
        period_grain,
        period_start,
        sum(n_conversations) as n_all_patterns,
        sum(case when collaboration_pattern != 'none' then n_conversations else 0 end)
            as n_five_pattern_base
    from patterns
    group by period_grain, period_start
)

select
    patterns.period_grain,
    patterns.period_start,
    patterns.collaboration_pattern,
    patterns.n_conversations,
    patterns.n_users,
    100.0 * patterns.n_conversations / bases.n_all_patterns as pct_of_all,
    case
        when patterns.collaboration_pattern != 'none' and bases.n_five_pattern_base > 0
            then 100.0 * patterns.n_conversations / bases.n_five_pattern_base
    end as pct_of_five_pattern_base,
    bases.n_all_patterns,
    bases.n_five_pattern_base
from patterns
inner join bases
    on
        patterns.period_grain = bases.period_grain
        and patterns.period_start = bases.period_start
