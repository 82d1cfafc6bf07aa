{#- Classified conversations per period grain (var period_grains + `all`), user, task and
    pattern: the one pass over the fact every period aggregate starts from. Counting per user
    here, before the equal-split allocation fans a conversation out to occupations and the SOC
    levels, keeps every later step small (a user's repeated tasks collapse into one row) while
    distinct users stay countable at every level.

    Incremental by (period, user) (macros/incremental): a day's labels recompute, for each of
    their users, that day, its week, its month and the user's whole history; the other rows stay.
    The `all` rows are the distinct (task, user) pairs all-time user counts are taken from. -#}
{%- set unit = ['period_grain', 'period_start', 'user_key'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

with {{ changed_units_cte(by_user=true) }}

conversations as (
    select
        user_key,
        created_at,
        onet_task_id,
        collaboration_pattern,
        loaded_at
    from {{ ref('fct_conversation_tasks') }}
    {% if is_incremental() %}
        where user_key in (select changed_units.user_key from changed_units)
    {% endif %}
),

conversation_periods as (
    {% for grain in period_grains() %}
        select
            '{{ grain }}' as period_grain,
            {{ period_start(grain, 'created_at') }} as period_start,
            user_key,
            onet_task_id,
            collaboration_pattern,
            loaded_at
        from conversations
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    period_grain,
    period_start,
    user_key,
    onet_task_id,
    collaboration_pattern,
    count(*) as n_conversations,
    max(loaded_at) as last_loaded_at
from conversation_periods
{% if is_incremental() %}
    where {{ in_changed_units('conversation_periods', unit) }}
{% endif %}
group by period_grain, period_start, user_key, onet_task_id, collaboration_pattern

{% if is_incremental() %}
    union all
    {{ unit_tombstones(unit, [
        ('onet_task_id', dbt.type_string()),
        ('collaboration_pattern', dbt.type_string()),
        ('n_conversations', dbt.type_bigint()),
    ]) }}
{% endif %}
