{#- The disclosure equations are true of the unsuppressed cells (sum of coefficient x
    n_conversations is 0 up to rounding), and every equation with a total has exactly one:
    an equation that does not hold would protect nothing and mislead the audit. Blocks (the
    days of a straddling week in one month: the only implied period equations without a
    total) have no total and a sum that is not 0. With
    usage_source aei_release the cells are the release's published, rounded shares under its
    own task mapping, which do not add up exactly: only the structure is checked there. -#}
{%- set conversations = usage_source() == 'conversations' %}

with sums as (
    select
        equations.equation_no,
        max(equations.equation_kind) as equation_kind,
        min(equations.is_implied) as is_implied,
        sum(equations.member_role) as n_totals,
        sum(equations.coefficient * cells.n_conversations) as balance,
        max(abs(cells.n_conversations)) as scale
    from {{ ref('int_disclosure_equations') }} as equations
    inner join {{ ref('int_disclosure_cells') }} as cells
        on equations.cell_no = cells.cell_no
    group by equations.equation_no
)

select
    equation_no,
    n_totals,
    balance
from sums
where
    (n_totals != 1 and not (equation_kind = 'period' and is_implied and n_totals = 0))
    {%- if conversations %}
        or (n_totals = 1 and abs(balance) > 1e-6 * (1 + scale))
    {%- endif %}
