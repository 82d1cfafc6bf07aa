{#- Allocated usage per occupation: in conversation mode one row per (period, user, pattern,
    occupation) so distinct users can be counted at every SOC level; in AEI mode one row per
    occupation (grain `all`) holding the published shares split equally over the holders of
    each statement. A view, cheaper than writing millions of per-user rows at 1M conversations:
    no model reads it in conversation mode (int_soc_users and int_soc_conversations join
    int_task_allocation themselves, on the units a run changes); they read it in AEI mode. -#}
{{ config(materialized='view') }}
{% if usage_source() == 'aei_release' %}
    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        cast(null as {{ dbt.type_string() }}) as user_key,
        cast(null as {{ dbt.type_string() }}) as collaboration_pattern,
        task_statements.onet_soc_code,
        sum(aei_usage.pct / task_statements.n_statement_holders) as n_conversations,
        cast(null as {{ dbt.type_timestamp() }}) as last_loaded_at
    from {{ ref('stg_aei__task_usage') }} as aei_usage
    inner join {{ ref('stg_onet__task_statements') }} as task_statements
        on aei_usage.statement_key = task_statements.statement_key
    group by task_statements.onet_soc_code
{% else %}
    select
        user_tasks.period_grain,
        user_tasks.period_start,
        user_tasks.user_key,
        user_tasks.collaboration_pattern,
        allocation.onet_soc_code,
        sum(cast(
            user_tasks.n_conversations * allocation.allocation_share
            as {{ type_allocated_count() }}
        )) as n_conversations,
        max(user_tasks.last_loaded_at) as last_loaded_at
    from {{ ref('int_period_user_tasks') }} as user_tasks
    inner join {{ ref('int_task_allocation') }} as allocation
        on user_tasks.onet_task_id = allocation.onet_task_id
    group by
        user_tasks.period_grain,
        user_tasks.period_start,
        user_tasks.user_key,
        user_tasks.collaboration_pattern,
        allocation.onet_soc_code
{% endif %}
