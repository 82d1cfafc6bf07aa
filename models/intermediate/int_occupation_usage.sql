{#- Allocated usage per occupation: in conversation mode one row per (period, conversation,
    occupation) so distinct users can be counted at every SOC level; in AEI mode one row per
    occupation (grain `all`) holding the published shares split equally over the holders of
    each statement. -#}
{% if usage_source() == 'aei_release' %}
    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        cast(null as {{ dbt.type_string() }}) as conversation_key,
        cast(null as {{ dbt.type_string() }}) as user_key,
        cast(null as {{ dbt.type_string() }}) as collaboration_pattern,
        task_statements.onet_soc_code,
        sum(aei_usage.pct / task_statements.n_statement_holders) as n_conversations
    from {{ ref('stg_aei__task_usage') }} as aei_usage
    inner join {{ ref('stg_onet__task_statements') }} as task_statements
        on aei_usage.statement_key = task_statements.statement_key
    group by task_statements.onet_soc_code
{% else %}
    select
        conversations.period_grain,
        conversations.period_start,
        conversations.conversation_key,
        conversations.user_key,
        conversations.collaboration_pattern,
        allocation.onet_soc_code,
        allocation.allocation_share as n_conversations
    from {{ ref('int_conversation_periods') }} as conversations
    inner join {{ ref('int_task_allocation') }} as allocation
        on conversations.onet_task_id = allocation.onet_task_id
{% endif %}
