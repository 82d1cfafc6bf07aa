{#- statement_key is how the AEI release matches statements (lower-cased, trimmed text); it is a
    join key for the published usage, never a published identifier. -#}
with task_statements as (
    select
        cast(task_id as {{ dbt.type_string() }}) as onet_task_id,
        cast(onet_soc_code as {{ dbt.type_string() }}) as onet_soc_code,
        task_statement,
        task_type,
        onet_version,
        lower(trim(task_statement)) as statement_key
    from {{ ref('onet_task_statements') }}
)

select
    onet_task_id,
    onet_soc_code,
    task_statement,
    task_type,
    onet_version,
    statement_key,
    count(*) over (partition by statement_key) as n_statement_holders
from task_statements
