-- One row per cell that the audit-driven repair (econ_index.repair) hides or releases (a
-- hidden headline cell nothing needs hidden, published again), keyed like every index cell
-- (index_cell_keys) and named by its cell_id; a cell listed by several passes of one build
-- appears once, hidden if any pass hid it. cells_fingerprint: the cells the repair was planned
-- on (null before the column existed, which no current build matches).
select
    {{ suppression_cell_id() }} as cell_id,
    {%- for key in index_cell_keys() %}
        {{ key }},
    {%- endfor %}
    min(dbt_pass) as dbt_pass,
    {#- `action` keeps raw.suppression_repairs' name (a keyword only to the linter) #}
    case
        when bool_or(coalesce(action, 'hide') = 'hide') then 'hide' else 'release'
    end as action,  -- noqa: RF04
    min(cells_fingerprint) as cells_fingerprint,
    count(distinct cells_fingerprint) as n_fingerprints
from {{ source('econ_index', 'suppression_repairs') }}
group by {{ index_cell_keys() | join(', ') }}
