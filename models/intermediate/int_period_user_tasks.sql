{#- Classified conversations per period grain (var period_grains + `all`), user, task and
    pattern: the one pass over the fact every period aggregate starts from. Counting per user
    here, before the equal-split allocation fans a conversation out to occupations and the SOC
    levels, keeps every later step small (a user's repeated tasks collapse into one row) while
    distinct users stay countable at every level. -#}
with conversation_periods as (
    {% for grain in period_grains() %}
        select
            '{{ grain }}' as period_grain,
            {{ period_start(grain, 'created_at') }} as period_start,
            user_key,
            onet_task_id,
            collaboration_pattern
        from {{ ref('fct_conversation_tasks') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    period_grain,
    period_start,
    user_key,
    onet_task_id,
    collaboration_pattern,
    count(*) as n_conversations
from conversation_periods
group by period_grain, period_start, user_key, onet_task_id, collaboration_pattern
