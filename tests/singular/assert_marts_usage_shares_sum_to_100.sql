-- Every SOC level of a period accounts for all of the period's classified conversations.
select
    period_grain,
    period_start,
    soc_level,
    sum(pct_of_classified) as total_pct
from {{ ref('agg_usage_by_soc') }}
group by period_grain, period_start, soc_level
having abs(sum(pct_of_classified) - 100) > 0.000001
