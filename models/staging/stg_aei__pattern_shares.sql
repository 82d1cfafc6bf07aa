select
    collaboration_pattern,
    cast(pct as {{ type_double() }}) as pct,
    {{ is_automation('collaboration_pattern') }} as is_automation,
    {{ is_augmentation('collaboration_pattern') }} as is_augmentation,
    onet_version
from {{ ref('aei_pattern_shares') }}
