{#- Allocated usage rolled up the SOC hierarchy (occupation -> detailed -> broad -> minor ->
    major), for all conversations (collaboration_pattern = 'all') and per pattern. n_users counts
    the distinct users with a conversation allocated to the node (null in AEI mode).

    Bounded memory: distinct users are counted as rows of plain GROUP BYs, which the engine can
    spill, never with count(distinct) (DuckDB cannot spill it inside grouping sets, and a 1M
    conversation warehouse needed ~20 GiB). First one row per (period, occupation, user) with
    the user's allocated conversations in each pattern as columns; then, one SOC level at a
    time, one row per (period, node, user); then per node: the users (rows), the users with a
    conversation in each pattern (rows with that pattern's column > 0) and the sums. A user's
    patterns stay on one row, so the all-pattern and per-pattern figures come from one pass. -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set patterns = collaboration_patterns() %}

with user_occupations as {{ cte_materialized() }} (
    select
        period_grain,
        period_start,
        onet_soc_code,
        user_key,
        sum(n_conversations) as n_all,
        {% for pattern in patterns -%}
            sum(
                case when collaboration_pattern = '{{ pattern }}' then n_conversations else 0 end
            ) as n_{{ pattern }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ ref('int_occupation_usage') }}
    group by period_grain, period_start, onet_soc_code, user_key
),

{% for soc in soc_levels() %}
    {{ soc.level }}_users as (
        select
            user_occupations.period_grain,
            user_occupations.period_start,
            occupations.{{ soc.code }} as soc_code,
            {% if soc.parent -%}
                occupations.{{ soc.parent }}
            {%- else -%}
                cast(null as {{ dbt.type_string() }})
            {%- endif %} as parent_soc_code,
            user_occupations.user_key,
            {% for pattern in ['all'] + patterns -%}
                sum(user_occupations.n_{{ pattern }}) as n_{{ pattern }}
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        from user_occupations
        inner join {{ ref('stg_onet__occupations') }} as occupations
            on user_occupations.onet_soc_code = occupations.onet_soc_code
        group by
            user_occupations.period_grain,
            user_occupations.period_start,
            occupations.{{ soc.code }},
            {% if soc.parent -%}
                occupations.{{ soc.parent }},
            {%- else -%}
                cast(null as {{ dbt.type_string() }}),
            {%- endif %}
            user_occupations.user_key
    ),

{% endfor %}
nodes as {{ cte_materialized() }} (
    {% for soc in soc_levels() %}
        select
            period_grain,
            period_start,
            '{{ soc.level }}' as soc_level,
            soc_code,
            parent_soc_code,
            sum(n_all) as n_all,
            count(*) as users_all,
            {% for pattern in patterns -%}
                sum(n_{{ pattern }}) as n_{{ pattern }},
                sum(case when n_{{ pattern }} > 0 then 1 else 0 end) as users_{{ pattern }}
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        from {{ soc.level }}_users
        group by period_grain, period_start, soc_code, parent_soc_code
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

patterns as (
    {% for pattern in ['all'] + patterns %}
        select '{{ pattern }}' as collaboration_pattern
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

node_patterns as (
    select
        nodes.period_grain,
        nodes.period_start,
        nodes.soc_level,
        nodes.soc_code,
        nodes.parent_soc_code,
        patterns.collaboration_pattern,
        case patterns.collaboration_pattern
            {% for pattern in ['all'] + patterns -%}
                when '{{ pattern }}' then nodes.n_{{ pattern }}
            {% endfor -%}
        end as n_conversations,
        case patterns.collaboration_pattern
            {% for pattern in ['all'] + patterns -%}
                when '{{ pattern }}' then nodes.users_{{ pattern }}
            {% endfor -%}
        end as n_users
    from nodes
    cross join patterns
)

select
    period_grain,
    period_start,
    soc_level,
    soc_code,
    parent_soc_code,
    collaboration_pattern,
    n_conversations,
    {% if aei -%}
        cast(null as {{ dbt.type_bigint() }})
    {%- else -%}
        cast(n_users as {{ dbt.type_bigint() }})
    {%- endif %} as n_users
from node_patterns
where collaboration_pattern = 'all' or n_users > 0
