{#- The one published table every BI number comes from: int_index_cells after primary and
    complementary suppression (doc block `suppression_algorithm`), with the cells the
    audit-driven repair chose hidden from the start. A hidden cell keeps its row, with every
    measure null and the reason in suppression_reason. -#}

{{ suppress_index_cells(
    ref('int_index_cells'),
    allocation=ref('int_task_allocation'),
    hide=ref('stg_econ_index__suppression_repairs')
) }}
