{#- Complementary suppression must reach its fixpoint within var('suppression_max_rounds').
    When it does not, the model hides every grouped cell (safe but useless) and this fails. -#}

select
    period_grain,
    period_start,
    level,
    node_id,
    facet,
    variable
from {{ ref('pub_index_cells') }}
where suppression_reason = 'complementary:not_converged'
