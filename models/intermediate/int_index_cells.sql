{#- Every publishable number as one UNSUPPRESSED cell (doc block `index_cells`), the input of
    models/published: the cells of int_period_cells dated, grain `all` by the data's first and
    last day (the intermediate models' internal sentinel stops here), every other period by its
    own bounds, and flagged partial when the data does not cover it entirely (doc block
    `partial_periods`). A view: the dates move with every new day, the cells do not, so a daily
    run rewrites only the changed periods' cells (int_period_cells) and none of these.
    Grain: (period_grain, period_start, level, node_id, facet, variable). -#}
{{ config(materialized='view') }}

select
    cells.period_grain,
    case
        when cells.period_grain = 'all' then coverage.first_date else cells.period_start
    end as period_start,
    cells.level,
    cells.node_id,
    cells.facet,
    cells.variable,
    case
        when cells.period_grain = 'all' then coverage.last_date
        else {{ period_end('cells.period_grain', 'cells.period_start') }}
    end as period_end,
    cells.period_grain != 'all'
    and (
        cells.period_start < coverage.first_date
        or {{ period_end('cells.period_grain', 'cells.period_start') }} > coverage.last_date
    ) as is_partial_period,
    cells.node_title,
    cells.parent_level,
    cells.parent_id,
    cells.pct_base,
    cells.n_conversations,
    cells.n_users,
    cells.pct,
    cells.ci_low,
    cells.ci_high
from {{ ref('int_period_cells') }} as cells
cross join {{ ref('int_data_coverage') }} as coverage
