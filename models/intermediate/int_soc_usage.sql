{#- Allocated usage rolled up the SOC hierarchy (occupation -> detailed -> broad -> minor ->
    major), for all conversations (collaboration_pattern = 'all') and per pattern. n_users counts
    the distinct users with a conversation allocated to the node (null in AEI mode). -#}
{%- if usage_source() == 'aei_release' %}
    {%- set n_users = 'cast(null as ' ~ dbt.type_bigint() ~ ')' %}
{%- else %}
    {%- set n_users = 'count(distinct user_key)' %}
{%- endif %}

with allocations as (
    {% for soc in soc_levels() %}
        {%- if soc.parent %}
            {%- set parent_code = 'occupations.' ~ soc.parent %}
        {%- else %}
            {%- set parent_code = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
        {%- endif %}
        select
            occupation_usage.period_grain,
            occupation_usage.period_start,
            '{{ soc.level }}' as soc_level,
            occupations.{{ soc.code }} as soc_code,
            {{ parent_code }} as parent_soc_code,
            occupation_usage.user_key,
            occupation_usage.collaboration_pattern,
            occupation_usage.n_conversations
        from {{ ref('int_occupation_usage') }} as occupation_usage
        inner join {{ ref('stg_onet__occupations') }} as occupations
            on occupation_usage.onet_soc_code = occupations.onet_soc_code
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

by_node as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        parent_soc_code,
        'all' as collaboration_pattern,
        sum(n_conversations) as n_conversations,
        {{ n_users }} as n_users
    from allocations
    group by period_grain, period_start, soc_level, soc_code, parent_soc_code
),

by_node_and_pattern as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        parent_soc_code,
        collaboration_pattern,
        sum(n_conversations) as n_conversations,
        count(distinct user_key) as n_users
    from allocations
    where collaboration_pattern is not null
    group by period_grain, period_start, soc_level, soc_code, parent_soc_code, collaboration_pattern
)

select * from by_node
union all
select * from by_node_and_pattern
