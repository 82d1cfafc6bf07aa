{#- Classified conversations per period: all of them (collaboration_pattern = 'all') and per
    pattern. These are the denominators of every pct_of_classified. In AEI mode the usage total
    is the sum of the published task shares that match a statement (the paper's renormalisation)
    and the pattern rows are the published pattern shares. -#}
{% if usage_source() == 'aei_release' %}
    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        'all' as collaboration_pattern,
        sum(n_conversations) as n_conversations,
        cast(null as {{ dbt.type_bigint() }}) as n_users
    from {{ ref('int_occupation_usage') }}

    union all

    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        collaboration_pattern,
        pct as n_conversations,
        cast(null as {{ dbt.type_bigint() }}) as n_users
    from {{ ref('stg_aei__pattern_shares') }}
{% else %}
    select
        period_grain,
        period_start,
        'all' as collaboration_pattern,
        cast(sum(n_conversations) as {{ type_double() }}) as n_conversations,
        count(distinct user_key) as n_users
    from {{ ref('int_period_user_tasks') }}
    group by period_grain, period_start

    union all

    select
        period_grain,
        period_start,
        collaboration_pattern,
        cast(sum(n_conversations) as {{ type_double() }}) as n_conversations,
        count(distinct user_key) as n_users
    from {{ ref('int_period_user_tasks') }}
    group by period_grain, period_start, collaboration_pattern
{% endif %}
