-- One row per cell that the audit-driven repair (econ_index.repair) hides, keyed like every
-- index cell (index_cell_keys); a cell listed by several passes of one build appears once.
select
    {%- for key in index_cell_keys() %}
        {{ key }},
    {%- endfor %}
    min(dbt_pass) as dbt_pass
from {{ source('econ_index', 'suppression_repairs') }}
group by {{ index_cell_keys() | join(', ') }}
