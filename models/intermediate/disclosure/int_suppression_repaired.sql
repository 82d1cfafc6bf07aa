{#- The final decision per cell (doc block `suppression_algorithm`, step 3): the secondary
    rounds' (int_suppression_secondary), plus the cells the audit-driven repair chose
    (stg_econ_index__suppression_repairs), hidden after the rounds with reason
    complementary:audit, and the shares of those (complementary:share_base). The rounds never
    read the repairs, so a rerun after a repair pass publishes the state its plan checked: the
    previous publication and the repairs (and their shares, which the plan does not model).
    Grain: cell_id. -#}

{# A repair planned on other cells (another fact state, grains or k) would hide the wrong
   cells and leave the combined equations unchecked: the build fails instead. #}
with repair_check as (
    select
        coalesce(sum(
            case
                when
                    repairs.cells_fingerprint = current_cells.cells_fingerprint
                    and repairs.n_fingerprints = 1
                    then 0
                else 1
            end
        ), 0) as n_stale
    from {{ ref('stg_econ_index__suppression_repairs') }} as repairs
    cross join {{ ref('int_disclosure_fingerprint') }} as current_cells
),

{# A share gives its base back (count / share), so a base the repair hides hides its shares, as
   the rounds' cascade does: a usage cell's base is its period's total, a pattern or mode cell's
   its node's usage, whose base is the total, so two steps reach every share. #}
newly_hidden as (
    select
        cells.cell_id,
        case
            when repairs.cell_id is not null then 'complementary:audit'
            when
                base_repairs.cell_id is not null or base_of_base_repairs.cell_id is not null
                then 'complementary:share_base'
        end as repair_reason
    from {{ ref('int_disclosure_cells') }} as cells
    left join {{ ref('int_disclosure_cells') }} as bases
        on cells.base_cell_id = bases.cell_id
    left join {{ ref('stg_econ_index__suppression_repairs') }} as repairs
        on cells.cell_id = repairs.cell_id
    left join {{ ref('stg_econ_index__suppression_repairs') }} as base_repairs
        on cells.base_cell_id = base_repairs.cell_id
    left join {{ ref('stg_econ_index__suppression_repairs') }} as base_of_base_repairs
        on bases.base_cell_id = base_of_base_repairs.cell_id
)

select
    decisions.cell_id,
    decisions.is_suppressed or newly_hidden.repair_reason is not null as is_suppressed,
    case
        when decisions.is_suppressed then decisions.suppression_reason
        else newly_hidden.repair_reason
    end as suppression_reason
from {{ ref('int_suppression_secondary') }} as decisions
inner join newly_hidden
    on decisions.cell_id = newly_hidden.cell_id
cross join repair_check
where
    case
        when repair_check.n_stale = 0 then true
        else cast({{ raise_query_error(
            "'raw.suppression_repairs was planned on other cells than this build has "
            ~ "(stale repairs): run econ-index build, which plans them afresh'"
        ) }} as boolean)
    end
