select
    task_statement_key as statement_key,
    cast(pct as {{ type_double() }}) as pct,
    onet_version
from {{ ref('aei_task_usage') }}
