{#- Allocated usage rolled up the SOC hierarchy (occupation -> detailed -> broad -> minor ->
    major), for all conversations (collaboration_pattern = 'all') and per pattern. n_users counts
    the distinct users with a conversation allocated to the node (null in AEI mode).

    One join to a small bridge (each occupation x its five SOC ancestors) fans the allocated rows
    out to every level, and one grouped pass computes both the all-pattern and the per-pattern
    rows (grouping sets: sqlfluff's DuckDB dialect cannot parse them, hence the noqa), so the
    large input is read once. -#}
{%- set aei = usage_source() == 'aei_release' %}

with soc_bridge as (
    {% for soc in soc_levels() %}
        select
            onet_soc_code,
            '{{ soc.level }}' as soc_level,
            {{ soc.code }} as soc_code,
            {% if soc.parent -%}
                {{ soc.parent }}
            {%- else -%}
                cast(null as {{ dbt.type_string() }})
            {%- endif %} as parent_soc_code
        from {{ ref('stg_onet__occupations') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

allocations as (
    select
        occupation_usage.period_grain,
        occupation_usage.period_start,
        soc_bridge.soc_level,
        soc_bridge.soc_code,
        soc_bridge.parent_soc_code,
        occupation_usage.user_key,
        occupation_usage.collaboration_pattern,
        occupation_usage.n_conversations
    from {{ ref('int_occupation_usage') }} as occupation_usage
    inner join soc_bridge
        on occupation_usage.onet_soc_code = soc_bridge.onet_soc_code
),

rolled_up as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        parent_soc_code,
        case
            when grouping(collaboration_pattern) = 1 then 'all' else collaboration_pattern
        end as collaboration_pattern,
        sum(n_conversations) as n_conversations,
        {% if aei -%}
            cast(null as {{ dbt.type_bigint() }})
        {%- else -%}
            count(distinct user_key)
        {%- endif %} as n_users
    from allocations
    group by grouping sets (  -- noqa: PRS
        (period_grain, period_start, soc_level, soc_code, parent_soc_code),
        (period_grain, period_start, soc_level, soc_code, parent_soc_code, collaboration_pattern)
    )
)

select
    period_grain,
    period_start,
    soc_level,
    soc_code,
    parent_soc_code,
    collaboration_pattern,
    n_conversations,
    n_users
from rolled_up
where collaboration_pattern is not null
