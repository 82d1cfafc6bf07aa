{#- Usage per task row and period, from the input chosen by var usage_source (doc block
    `usage_source`). Incremental by period (macros/incremental): a run recomputes the periods
    its labels touch, `all` from the distinct (task, user) pairs of int_period_user_tasks. -#}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}
{% if usage_source() == 'aei_release' %}
    select
        'all' as period_grain,
        {{ all_periods_start() }} as period_start,
        task_statements.onet_task_id,
        aei_usage.pct as n_conversations,
        cast(null as {{ dbt.type_bigint() }}) as n_users,
        cast(null as {{ dbt.type_timestamp() }}) as last_loaded_at
    from {{ ref('stg_aei__task_usage') }} as aei_usage
    inner join {{ ref('stg_onet__task_statements') }} as task_statements
        on aei_usage.statement_key = task_statements.statement_key
{% else %}
    with {{ changed_units_cte(by_user=false) }}

    -- one row per (period, task, user): the user's patterns summed
    task_users as (
        select
            period_grain,
            period_start,
            onet_task_id,
            user_key,
            sum(n_conversations) as n_conversations,
            max(last_loaded_at) as last_loaded_at
        from {{ rows_in_changed_units(ref('int_period_user_tasks'), unit) }}
        group by period_grain, period_start, onet_task_id, user_key
    )

    select
        period_grain,
        period_start,
        onet_task_id,
        cast(sum(n_conversations) as {{ type_double() }}) as n_conversations,
        count(*) as n_users,
        max(last_loaded_at) as last_loaded_at
    from task_users
    group by period_grain, period_start, onet_task_id

    {% if is_incremental() %}
        union all
        {{ unit_tombstones(unit, [
            ('onet_task_id', dbt.type_string()),
            ('n_conversations', type_double()),
            ('n_users', dbt.type_bigint()),
        ]) }}
    {% endif %}
{% endif %}
