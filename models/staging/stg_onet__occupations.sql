select
    cast(onet_soc_code as {{ dbt.type_string() }}) as onet_soc_code,
    occupation_title,
    cast(detailed_soc_code as {{ dbt.type_string() }}) as detailed_soc_code,
    cast(broad_soc_code as {{ dbt.type_string() }}) as broad_soc_code,
    cast(minor_soc_code as {{ dbt.type_string() }}) as minor_soc_code,
    cast(major_soc_code as {{ dbt.type_string() }}) as major_soc_code,
    onet_version
from {{ ref('onet_occupations') }}
