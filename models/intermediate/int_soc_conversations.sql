{#- Allocated conversations per period, SOC node and pattern, at every node that is its own
    source in int_soc_nodes (like int_soc_users, whose per-user rows give the user counts):
    int_soc_usage and int_mode_usage take their conversations from here. Summed without users,
    from the (period, task, pattern) counts of int_period_user_tasks.

    Exact and the same in any order: a task's conversations are counted as an integer per
    (occupation, allocation share) before they meet the share, so each such group is rounded
    once, to the fixed-point type_allocated_count, whose sums up the hierarchy are exact. In AEI
    mode int_occupation_usage's published shares, pattern null. Incremental by period
    (macros/incremental), like int_soc_usage. -#}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

-- both modes' inputs, so that the DAG is the same in either:
-- depends_on: {{ ref('int_occupation_usage') }}, {{ ref('int_period_user_tasks') }}
-- depends_on: {{ ref('int_task_allocation') }}

with {{ changed_units_cte(by_user=false) }}

occupation_conversations as (
    {% if usage_source() == 'aei_release' %}
        select
            period_grain,
            period_start,
            collaboration_pattern,
            onet_soc_code,
            cast(n_conversations as {{ type_allocated_count() }}) as n_conversations,
            last_loaded_at
        from {{ ref('int_occupation_usage') }}
    {% else %}
        select
            period_grain,
            period_start,
            collaboration_pattern,
            onet_soc_code,
            sum(cast(
                n_conversations * allocation_share as {{ type_allocated_count() }}
            )) as n_conversations,
            max(last_loaded_at) as last_loaded_at
        from (
            select
                user_tasks.period_grain,
                user_tasks.period_start,
                user_tasks.collaboration_pattern,
                allocation.onet_soc_code,
                allocation.allocation_share,
                sum(user_tasks.n_conversations) as n_conversations,
                max(user_tasks.last_loaded_at) as last_loaded_at
            from {{ rows_in_changed_units(ref('int_period_user_tasks'), unit) }} as user_tasks
            inner join {{ ref('int_task_allocation') }} as allocation
                on user_tasks.onet_task_id = allocation.onet_task_id
            group by
                user_tasks.period_grain,
                user_tasks.period_start,
                user_tasks.collaboration_pattern,
                allocation.onet_soc_code,
                allocation.allocation_share
        ) as share_groups
        group by period_grain, period_start, collaboration_pattern, onet_soc_code
    {% endif %}
)

{{ rolled_up_to_source_nodes(
    'occupation_conversations',
    ['period_grain', 'period_start', 'collaboration_pattern'],
    [
        'sum(per_occupation.n_conversations) as n_conversations',
        'max(per_occupation.last_loaded_at) as last_loaded_at',
    ],
) }}

{% if is_incremental() %}
    union all
    {{ unit_tombstones(unit, [
        ('collaboration_pattern', dbt.type_string()),
        ('soc_level', dbt.type_string()),
        ('soc_code', dbt.type_string()),
        ('n_conversations', type_allocated_count()),
    ]) }}
{% endif %}
