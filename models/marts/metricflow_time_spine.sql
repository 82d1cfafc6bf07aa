{#- One row per day: the time spine MetricFlow joins metrics to (cumulative metrics, gaps filled
    with zeros). The span covers any conversation date the index plausibly holds. -#}
with days as (
    {{ dbt.date_spine('day', "cast('2020-01-01' as date)", "cast('2036-01-01' as date)") }}
)

select cast(date_day as date) as date_day
from days
