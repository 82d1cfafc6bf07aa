{#- Each classified conversation once per period grain (var period_grains + `all`), so every
    period aggregate downstream is a plain group by (period_grain, period_start). -#}
{% for grain in period_grains() %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'created_at') }} as period_start,
        conversation_key,
        user_key,
        onet_task_id,
        collaboration_pattern
    from {{ ref('fct_conversation_tasks') }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
