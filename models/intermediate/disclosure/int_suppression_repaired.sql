{#- The final decision per cell (doc block `suppression_algorithm`, step 3): the secondary
    rounds' (int_suppression_secondary), plus the cells the audit-driven repair chose
    (stg_econ_index__suppression_repairs), hidden after the rounds with reason
    complementary:audit, and the shares of those (complementary:share_base). The rounds never
    read the repairs, so a rerun after a repair pass publishes the state its plan checked: the
    previous publication, the repairs and their shares (the plan hides them too, from the same
    int_disclosure_share_groups). Grain: cell_id. -#}

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

{# A share gives its base back (count / share), so a base the repair hides hides its shares,
   as the rounds' cascade does: every member of its share group, the plan's too. #}
repaired_shares as (
    select distinct share_groups.cell_id
    from {{ ref('int_disclosure_share_groups') }} as share_groups
    inner join {{ ref('stg_econ_index__suppression_repairs') }} as repairs
        on share_groups.base_cell_id = repairs.cell_id
)

select
    decisions.cell_id,
    (
        decisions.is_suppressed
        or repairs.cell_id is not null
        or repaired_shares.cell_id is not null
    ) as is_suppressed,
    case
        when decisions.is_suppressed then decisions.suppression_reason
        when repairs.cell_id is not null then 'complementary:audit'
        when repaired_shares.cell_id is not null then 'complementary:share_base'
    end as suppression_reason
from {{ ref('int_suppression_secondary') }} as decisions
left join {{ ref('stg_econ_index__suppression_repairs') }} as repairs
    on decisions.cell_id = repairs.cell_id
left join repaired_shares
    on decisions.cell_id = repaired_shares.cell_id
cross join repair_check
where
    case
        when repair_check.n_stale = 0 then true
        else cast({{ raise_query_error(
            "'raw.suppression_repairs was planned on other cells than this build has "
            ~ "(stale repairs): run econ-index build, which plans them afresh'"
        ) }} as boolean)
    end
