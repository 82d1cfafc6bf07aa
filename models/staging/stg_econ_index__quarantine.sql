select
    run_id,
    source_file,
    record_unit,
    record_number,
    reason,
    quarantined_at
from {{ source('econ_index', 'quarantine') }}
