{#- How many of each occupation's task rows are in use over the whole history: a task row is in
    use when its statement has any usage (AEI: the statement is in the published mappings),
    the same statement matching the allocation uses. -#}
with used_statements as (
    select distinct task_statements.statement_key
    from {{ ref('int_task_usage') }} as task_usage
    inner join {{ ref('stg_onet__task_statements') }} as task_statements
        on task_usage.onet_task_id = task_statements.onet_task_id
    where task_usage.period_grain = 'all' and task_usage.n_conversations > 0
),

task_rows as (
    select
        task_statements.onet_task_id,
        task_statements.onet_soc_code,
        used_statements.statement_key as used_statement_key
    from {{ ref('stg_onet__task_statements') }} as task_statements
    left join used_statements
        on task_statements.statement_key = used_statements.statement_key
)

select
    occupations.onet_soc_code,
    occupations.occupation_title,
    count(task_rows.onet_task_id) as n_task_rows,
    count(task_rows.used_statement_key) as n_task_rows_in_use,
    cast(100 as {{ type_double() }})
    * count(task_rows.used_statement_key)
    / nullif(count(task_rows.onet_task_id), 0) as pct_task_rows_in_use
from {{ ref('stg_onet__occupations') }} as occupations
left join task_rows
    on occupations.onet_soc_code = task_rows.onet_soc_code
group by occupations.onet_soc_code, occupations.occupation_title
