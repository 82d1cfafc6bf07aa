{#- Primary suppression (doc block `suppression_algorithm`, step 1): the k rule on every cell,
    plus the cells the audit-driven repair hides from the start (reason complementary:audit).
    A missing count counts as zero, so it is hidden. A cell of a frozen closed period
    (int_suppression_frozen) keeps its published decision instead: hidden with its published
    reason, or published (is_frozen: the secondary rounds never pick it). Grain: cell_id. -#}
{%- set k_users = k_threshold('k_users') -%}
{%- set k_conversations = k_threshold('k_conversations') -%}

with flagged as (
    select
        cells.cell_id,
        coalesce(cells.n_users, 0) < {{ k_users }} as below_k_users,
        coalesce(cells.n_conversations, 0) < {{ k_conversations }} as below_k_conversations,
        repairs.cell_id is not null as is_repaired,
        frozen.is_frozen,
        frozen.frozen_is_suppressed,
        frozen.frozen_reason
    from {{ ref('int_disclosure_cells') }} as cells
    inner join {{ ref('int_suppression_frozen') }} as frozen
        on cells.cell_id = frozen.cell_id
    left join {{ ref('stg_econ_index__suppression_repairs') }} as repairs
        on cells.cell_id = repairs.cell_id
),

{# A repair planned on other cells (another fact state, grains or k) would hide the wrong
   cells and leave the combined equations unchecked: the build fails instead. #}
repair_check as (
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
)

select
    flagged.cell_id,
    flagged.is_frozen,
    case
        when flagged.is_frozen then flagged.frozen_is_suppressed
        else flagged.below_k_users or flagged.below_k_conversations or flagged.is_repaired
    end as is_primary_suppressed,
    case
        when flagged.is_frozen then flagged.frozen_reason
        when flagged.below_k_users then 'primary:users<{{ k_users }}'
        when flagged.below_k_conversations then 'primary:conversations<{{ k_conversations }}'
        when flagged.is_repaired then 'complementary:audit'
    end as primary_reason
from flagged
cross join repair_check
where
    case
        when repair_check.n_stale = 0 then true
        else cast({{ raise_query_error(
            "'raw.suppression_repairs was planned on other cells than this build has "
            ~ "(stale repairs): run econ-index build, which plans them afresh'"
        ) }} as boolean)
    end
