-- Automation and augmentation partition the five-pattern base.
select
    period_grain,
    period_start,
    automation_pct_of_five_pattern_base,
    augmentation_pct_of_five_pattern_base
from {{ ref('agg_automation_augmentation') }}
where
    abs(automation_pct_of_five_pattern_base + augmentation_pct_of_five_pattern_base - 100)
    > 0.000001
