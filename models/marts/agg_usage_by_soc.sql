{#- Allocated usage per SOC node and period, with its share of the period's classified
    conversations (pct_of_classified = 100 * pct_numerator / pct_denominator). -#}
with soc_usage as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        parent_soc_code,
        n_conversations,
        n_users
    from {{ ref('int_soc_usage') }}
    where collaboration_pattern = 'all'
),

totals as (
    select
        period_grain,
        period_start,
        n_conversations
    from {{ ref('int_period_totals') }}
    where collaboration_pattern = 'all'
),

titles as (
    select
        onet_soc_code as soc_code,
        occupation_title as soc_title
    from {{ ref('stg_onet__occupations') }}
    union all
    select
        soc_code,
        soc_title
    from {{ ref('stg_onet__soc_structure') }}
    where soc_level in ('major', 'minor', 'broad', 'detailed')
)

select
    soc_usage.period_grain,
    soc_usage.period_start,
    soc_usage.soc_level,
    soc_usage.soc_code,
    titles.soc_title,
    soc_usage.parent_soc_code,
    soc_usage.n_conversations,
    soc_usage.n_users,
    100.0 * soc_usage.n_conversations / totals.n_conversations as pct_of_classified,
    soc_usage.n_conversations as pct_numerator,
    totals.n_conversations as pct_denominator
from soc_usage
inner join totals
    on
        soc_usage.period_grain = totals.period_grain
        and soc_usage.period_start = totals.period_start
left join titles
    on soc_usage.soc_code = titles.soc_code
