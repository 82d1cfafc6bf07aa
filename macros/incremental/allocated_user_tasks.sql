{#- int_period_user_tasks rows (`user_tasks`: a relation or subquery with its columns) allocated
    to occupations by the equal split: one row per (period, user, pattern, occupation). The
    conversation-mode body of int_occupation_usage; int_soc_users applies it to the changed
    units' rows alone, so an incremental run allocates only those. -#}
{% macro allocated_user_tasks(user_tasks) -%}
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
    from {{ user_tasks }} as user_tasks
    inner join {{ ref('int_task_allocation') }} as allocation
        on user_tasks.onet_task_id = allocation.onet_task_id
    group by
        user_tasks.period_grain,
        user_tasks.period_start,
        user_tasks.user_key,
        user_tasks.collaboration_pattern,
        allocation.onet_soc_code
{%- endmacro %}
