-- One row per cell that the audit-driven repair (econ_index.repair) hides; a cell listed by
-- several passes of one build appears once.
select
    period_grain,
    period_start,
    level,
    node_id,
    facet,
    variable,
    min(dbt_pass) as dbt_pass
from {{ source('econ_index', 'suppression_repairs') }}
group by period_grain, period_start, level, node_id, facet, variable
