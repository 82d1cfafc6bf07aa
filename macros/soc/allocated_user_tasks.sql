{#- The rows of `user_tasks` (int_period_user_tasks or a subquery of it) met with their
    occupations in int_task_allocation, grouped by `keys` (column names of either side: the
    allocation's are onet_soc_code and allocation_share). `measures` are aggregates over the
    aliases user_tasks and allocation, e.g. "max(user_tasks.last_loaded_at) as last_loaded_at".
    The one join of per-user tasks to occupations that int_occupation_usage, int_soc_users and
    int_soc_conversations group in their own ways. -#}
{% macro allocated_user_tasks(user_tasks, keys, measures) -%}
    {%- set qualified = [] %}
    {%- for key in keys %}
        {%- do qualified.append(
            ('allocation.' if key in ['onet_soc_code', 'allocation_share'] else 'user_tasks.') ~ key
        ) %}
    {%- endfor %}
    select
        {{ (qualified + measures) | join(',\n') }}
    from {{ user_tasks }} as user_tasks
    inner join {{ ref('int_task_allocation') }} as allocation
        on user_tasks.onet_task_id = allocation.onet_task_id
    group by {{ qualified | join(', ') }}
{%- endmacro %}
