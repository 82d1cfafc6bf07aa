-- One row per frozen cell of a closed period (raw.published_decisions, written by
-- econ-index build), named by its cell_id like every index cell.
select
    {{ suppression_cell_id() }} as cell_id,
    period_grain,
    period_start,
    is_suppressed,
    suppression_reason,
    n_users,
    n_conversations,
    cells_fingerprint
from {{ source('econ_index', 'published_decisions') }}
