{#- Usage per O*NET task row and period. In AEI mode every task row of a shared statement
    carries the statement's full published share (see doc block `usage_source`). -#}
with totals as (
    select
        period_grain,
        period_start,
        n_conversations
    from {{ ref('int_period_totals') }}
    where collaboration_pattern = 'all'
)

select
    task_usage.period_grain,
    task_usage.period_start,
    task_usage.onet_task_id,
    task_statements.onet_soc_code,
    task_statements.task_statement,
    task_usage.n_conversations,
    task_usage.n_users,
    100.0 * task_usage.n_conversations / totals.n_conversations as pct_of_classified,
    task_usage.n_conversations as pct_numerator,
    totals.n_conversations as pct_denominator
from {{ ref('int_task_usage') }} as task_usage
inner join totals
    on
        task_usage.period_grain = totals.period_grain
        and task_usage.period_start = totals.period_start
left join {{ ref('stg_onet__task_statements') }} as task_statements
    on task_usage.onet_task_id = task_statements.onet_task_id
