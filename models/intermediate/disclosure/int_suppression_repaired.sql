{#- The final decision per cell (doc block `suppression_algorithm`, step 3): the secondary
    rounds' (int_suppression_secondary), plus the cells the audit-driven repair chose
    (stg_econ_index__suppression_repairs, action hide), hidden after the rounds with reason
    complementary:audit, and the shares of those (complementary:share_base); minus the hidden
    headline cells the repair released (action release: nothing needs them hidden), published
    again. The rounds never read the repairs, so a rerun after a repair pass publishes the
    state its plan checked: the previous publication, the repairs and their shares (the plan
    hides them too, from the same int_disclosure_share_groups), the releases. Grain: cell_id. -#}

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

hides as (
    select cell_id
    from {{ ref('stg_econ_index__suppression_repairs') }}
    where action = 'hide'
),

{# A share gives its base back (count / share), so a base the repair hides hides its shares,
   as the rounds' cascade does: every member of its share group, the plan's too. #}
repaired_shares as (
    select distinct share_groups.cell_id
    from {{ ref('int_disclosure_share_groups') }} as share_groups
    inner join hides on share_groups.base_cell_id = hides.cell_id
),

decided as (
    select
        decisions.cell_id,
        decisions.is_suppressed as is_hidden_by_rounds,
        decisions.suppression_reason as rounds_reason,
        hides.cell_id is not null as is_repaired,
        repaired_shares.cell_id is not null as is_repaired_share,
        {#- only a cell hidden to protect others can be released: never a primary one, nor a
            share hidden for its share only (its base's count is known), nor one of a frozen
            period (its published decision stays) #}
        releases.cell_id is not null
        and decisions.suppression_reason like 'complementary:%'
        and decisions.suppression_reason != 'complementary:pinned_share'
        and not primary_cells.is_frozen
        and hides.cell_id is null
        and repaired_shares.cell_id is null as is_released
    from {{ ref('int_suppression_secondary') }} as decisions
    inner join {{ ref('int_suppression_primary') }} as primary_cells
        on decisions.cell_id = primary_cells.cell_id
    left join hides on decisions.cell_id = hides.cell_id
    left join repaired_shares on decisions.cell_id = repaired_shares.cell_id
    left join {{ ref('stg_econ_index__suppression_repairs') }} as releases
        on decisions.cell_id = releases.cell_id and releases.action = 'release'
),

{# A released share of a base still hidden would give the base back: it stays hidden (the
   plan never releases one; a base released too frees its shares). #}
shares_of_hidden_bases as (
    select distinct share_groups.cell_id
    from {{ ref('int_disclosure_share_groups') }} as share_groups
    inner join decided as bases on share_groups.base_cell_id = bases.cell_id
    where
        (bases.is_hidden_by_rounds or bases.is_repaired or bases.is_repaired_share)
        and not bases.is_released
),

final as (
    select
        decided.*,
        decided.is_released and shares_of_hidden_bases.cell_id is null as is_published_again
    from decided
    left join shares_of_hidden_bases
        on decided.cell_id = shares_of_hidden_bases.cell_id
)

select
    final.cell_id,
    (final.is_hidden_by_rounds or final.is_repaired or final.is_repaired_share)
    and not final.is_published_again as is_suppressed,
    case
        when final.is_published_again then null
        when final.is_hidden_by_rounds then final.rounds_reason
        when final.is_repaired then 'complementary:audit'
        when final.is_repaired_share then 'complementary:share_base'
    end as suppression_reason
from final
cross join repair_check
where
    case
        when repair_check.n_stale = 0 then true
        else cast({{ raise_query_error(
            "'raw.suppression_repairs was planned on other cells than this build has "
            ~ "(stale repairs): run econ-index build, which plans them afresh'"
        ) }} as boolean)
    end
