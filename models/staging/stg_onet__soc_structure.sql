select
    cast(soc_code as {{ dbt.type_string() }}) as soc_code,
    soc_level,
    soc_title,
    cast(nullif(parent_soc_code, '') as {{ dbt.type_string() }}) as parent_soc_code,
    onet_version
from {{ ref('soc_structure') }}
