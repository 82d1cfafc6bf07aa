{#- The share groups (doc block `suppression_algorithm`): per base, every cell whose share gives
    it back once the base is hidden, the one statement of it that int_suppression_secondary,
    int_suppression_repaired and the repair's plan (econ_index.audit.EquationSystem.shares)
    read. A share and its count give its base back (count / share), and a hidden share hides
    its own shares in turn: a usage cell's base is its period's total (one step), a pattern or
    mode cell's its node's usage (one step), whose base is the total (two steps); a total has no
    base, so two steps reach every share (assert_disclosure_share_groups_closed).
    Grain: base_cell_id, cell_id. -#}

select
    base_cell_id,
    cell_id,
    1 as n_steps
from {{ ref('int_disclosure_cells') }}
where base_cell_id is not null

union all

select
    bases.base_cell_id,
    cells.cell_id,
    2 as n_steps
from {{ ref('int_disclosure_cells') }} as cells
inner join {{ ref('int_disclosure_cells') }} as bases
    on cells.base_cell_id = bases.cell_id
where bases.base_cell_id is not null
