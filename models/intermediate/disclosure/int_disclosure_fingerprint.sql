{#- One row: a fingerprint of what suppression decides on (every cell's key and counts, and the
    k thresholds). `econ-index build` stamps the repairs it plans with it, and
    int_suppression_primary refuses repairs stamped with another. It is the cell count and
    the sum of the first 28 bits of each cell's md5, so any changed, added or removed cell
    changes it (bar a 2^-28 coincidence). -#}
{%- set k_users = k_threshold('k_users') -%}
{%- set k_conversations = k_threshold('k_conversations') -%}

with hashed as (
    select
        {{ hex7_to_bigint(dbt.hash(dbt.concat([
            'cell_id', "'|'",
            'cast(coalesce(n_users, 0) as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(cast(round(coalesce(n_conversations, 0) * 1000) as bigint) as '
            ~ dbt.type_string() ~ ')'
        ]))) }} as cell_hash
    from {{ ref('int_disclosure_cells') }}
)

select
    {{ dbt.concat([
        "'k" ~ k_users ~ "-" ~ k_conversations ~ "-n'",
        'cast(count(*) as ' ~ dbt.type_string() ~ ')', "'-h'",
        'cast(coalesce(sum(cell_hash), 0) as ' ~ dbt.type_string() ~ ')'
    ]) }} as cells_fingerprint
from hashed
