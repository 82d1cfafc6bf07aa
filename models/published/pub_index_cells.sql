{#- The one published table every BI number comes from: the index cells with the decision of
    int_suppression_repaired (doc block `suppression_algorithm`). A hidden cell keeps its row,
    with every measure null and the reason in suppression_reason. -#}

select
    {%- for column in index_cell_keys() + index_cell_attributes() %}
        cells.{{ column }},
    {%- endfor %}
    {%- for column in index_cell_measures() %}
        case when not decisions.is_suppressed then cells.{{ column }} end as {{ column }},
    {%- endfor %}
    decisions.is_suppressed,
    decisions.suppression_reason
from {{ ref('int_disclosure_cells') }} as cells
inner join {{ ref('int_suppression_repaired') }} as decisions
    on cells.cell_id = decisions.cell_id
