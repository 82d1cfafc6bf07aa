{#- Usage per task row and period, from the input chosen by var usage_source (doc block
    `usage_source`). -#}
{% if usage_source() == 'aei_release' %}
    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        task_statements.onet_task_id,
        aei_usage.pct as n_conversations,
        cast(null as {{ dbt.type_bigint() }}) as n_users
    from {{ ref('stg_aei__task_usage') }} as aei_usage
    inner join {{ ref('stg_onet__task_statements') }} as task_statements
        on aei_usage.statement_key = task_statements.statement_key
{% else %}
    select
        period_grain,
        period_start,
        onet_task_id,
        cast(sum(n_conversations) as {{ type_double() }}) as n_conversations,
        count(distinct user_key) as n_users
    from {{ ref('int_period_user_tasks') }}
    group by period_grain, period_start, onet_task_id
{% endif %}
