{#- Every index cell under disclosure control, named by cell_id, with what suppression needs to
    know about it beside its counts: the cell its share is a share of, and the cost of hiding
    it. Grain: cell_id (one row per int_index_cells row). -#}

with cells as (
    select
        {{ suppression_cell_id() }} as cell_id,
        {%- for column in index_cell_keys() + index_cell_attributes() + index_cell_measures() %}
            {{ column }},
        {%- endfor %}
        case
            when facet != 'usage' then level
            when level != 'total' then 'total'
        end as base_level,
        case
            when facet != 'usage' then node_id
            when level != 'total' then 'total'
        end as base_node_id
    from {{ ref('int_index_cells') }}
),

{#- the integer key of the equations and the rounds, in cell_id order (their tie-break) #}

numbered as (
    select
        *,
        row_number() over (order by cell_id) as cell_no
    from cells
)

select
    cells.cell_id,
    cells.cell_no,
    {%- for column in index_cell_keys() + index_cell_attributes() + index_cell_measures() %}
        cells.{{ column }},
    {%- endfor %}
    {#- a published share and count give its base back (count / share): a usage cell's base is
        the period's total, a pattern or mode cell's the usage of its node -#}
    bases.cell_id as base_cell_id,
    bases.cell_no as base_cell_no,
    {{ disclosure_hide_cost('cells.period_grain', 'cells.level', 'cells.facet', 'cells.variable',
                            'cells.is_partial_period') }} as hide_cost,
    {{ disclosure_is_headline('cells.level', 'cells.facet') }} as is_headline
from numbered as cells
left join numbered as bases
    on
        cells.period_grain = bases.period_grain
        and cells.period_start = bases.period_start
        and cells.base_level = bases.level
        and cells.base_node_id = bases.node_id
        and bases.facet = 'usage'
        and bases.variable = 'all'
