select
    run_id,
    started_at,
    finished_at,
    backend,
    classifier_name,
    classifier_version,
    onet_version,
    n_read,
    n_classified,
    n_filtered,
    n_quarantined,
    input_tokens,
    cached_input_tokens,
    cache_write_tokens,
    output_tokens,
    cost_usd
from {{ source('econ_index', 'classification_runs') }}
