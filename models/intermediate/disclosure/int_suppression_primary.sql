{#- Primary suppression (doc block `suppression_algorithm`, step 1): the k rule on every cell
    (a missing count counts as zero, so it is hidden). A cell of a frozen closed period
    (int_suppression_frozen) keeps its published decision instead: hidden with its published
    reason, or published (is_frozen: the secondary rounds never pick it). Grain: cell_id. -#}
{%- set k_users = k_threshold('k_users') -%}
{%- set k_conversations = k_threshold('k_conversations') -%}

with flagged as (
    select
        cells.cell_id,
        coalesce(cells.n_users, 0) < {{ k_users }} as below_k_users,
        {{ below_k_conversations('cells.n_conversations', k_conversations) }}
            as below_k_conversations,
        frozen.is_frozen,
        frozen.frozen_is_suppressed,
        frozen.frozen_reason
    from {{ ref('int_disclosure_cells') }} as cells
    inner join {{ ref('int_suppression_frozen') }} as frozen
        on cells.cell_id = frozen.cell_id
)

select
    flagged.cell_id,
    flagged.is_frozen,
    case
        when flagged.is_frozen then flagged.frozen_is_suppressed
        else flagged.below_k_users or flagged.below_k_conversations
    end as is_primary_suppressed,
    case
        when flagged.is_frozen then flagged.frozen_reason
        when flagged.below_k_users then 'primary:users<{{ k_users }}'
        when flagged.below_k_conversations then 'primary:conversations<{{ k_conversations }}'
    end as primary_reason
from flagged
