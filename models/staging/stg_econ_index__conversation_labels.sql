select
    conversation_key,
    user_key,
    created_at,
    status,
    filter_reason,
    cast(onet_task_id as {{ dbt.type_string() }}) as onet_task_id,
    collaboration_pattern,
    confidence,
    is_redacted,
    classifier_name,
    classifier_version,
    onet_version,
    run_id,
    loaded_at,
    status = 'classified' as is_classified
from {{ source('econ_index', 'conversation_labels') }}
