{#- Classified conversations per period: all of them (collaboration_pattern = 'all') and per
    pattern. These are the denominators of every pct_of_classified. In AEI mode the usage total
    is the sum of the published task shares that match a statement (the paper's renormalisation)
    and the pattern rows are the published pattern shares. Incremental by period
    (macros/incremental), like int_task_usage. -#}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}
{% if usage_source() == 'aei_release' %}
    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        'all' as collaboration_pattern,
        sum(n_conversations) as n_conversations,
        cast(null as {{ dbt.type_bigint() }}) as n_users,
        cast(null as {{ dbt.type_timestamp() }}) as last_loaded_at
    from {{ ref('int_occupation_usage') }}

    union all

    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        collaboration_pattern,
        pct as n_conversations,
        cast(null as {{ dbt.type_bigint() }}) as n_users,
        cast(null as {{ dbt.type_timestamp() }}) as last_loaded_at
    from {{ ref('stg_aei__pattern_shares') }}
{% else %}
    with {{ changed_units_cte(by_user=false) }}

    -- one row per (period, user, pattern), and per (period, user) as pattern 'all'
    user_patterns as (
        select
            period_grain,
            period_start,
            user_key,
            collaboration_pattern,
            sum(n_conversations) as n_conversations,
            max(last_loaded_at) as last_loaded_at
        from {{ rows_in_changed_units(ref('int_period_user_tasks'), unit) }}
        group by period_grain, period_start, user_key, collaboration_pattern
    ),

    users as (
        select
            period_grain,
            period_start,
            user_key,
            'all' as collaboration_pattern,
            sum(n_conversations) as n_conversations,
            max(last_loaded_at) as last_loaded_at
        from user_patterns
        group by period_grain, period_start, user_key
        union all
        select
            period_grain,
            period_start,
            user_key,
            collaboration_pattern,
            n_conversations,
            last_loaded_at
        from user_patterns
    )

    select
        period_grain,
        period_start,
        collaboration_pattern,
        cast(sum(n_conversations) as {{ type_double() }}) as n_conversations,
        count(*) as n_users,
        max(last_loaded_at) as last_loaded_at
    from users
    group by period_grain, period_start, collaboration_pattern

    {% if is_incremental() %}
        union all
        {{ unit_tombstones(unit, [
            ('collaboration_pattern', dbt.type_string()),
            ('n_conversations', type_double()),
            ('n_users', dbt.type_bigint()),
        ]) }}
    {% endif %}
{% endif %}
