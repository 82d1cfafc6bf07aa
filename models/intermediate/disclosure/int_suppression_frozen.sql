{#- Incremental time suppression (doc block `incremental_time_suppression`): which cells belong
    to closed periods, and the decision already published for those frozen in
    raw.published_decisions, which every later build keeps. Grain: cell_id (one row per
    int_disclosure_cells row).

    A period is closed when the data has moved past it and it is whole: it ends before the
    newest day with a classified conversation (that day may still grow) and starts on or after
    the oldest one (a period cut by the start of the data is partial, and never closes). The
    all-time cells never close. -#}
{%- set k_users = k_threshold('k_users') -%}
{%- set k_conversations = k_threshold('k_conversations') -%}

with data_days as (
    select
        cast(min(created_at) as date) as first_day,
        cast(max(created_at) as date) as last_day
    from {{ ref('fct_conversation_tasks') }}
),

cells as (
    select
        cells.cell_id,
        cells.period_grain,
        cells.period_start,
        coalesce(cells.n_users, 0) as n_users,
        coalesce(cells.n_conversations, 0) as n_conversations,
        cells.period_grain != 'all'
        and cells.period_start >= data_days.first_day
        and case cells.period_grain
            when 'day' then cast({{ dbt.dateadd('day', 1, 'cells.period_start') }} as date)
            when 'week' then cast({{ dbt.dateadd('day', 7, 'cells.period_start') }} as date)
            else cast({{ dbt.dateadd('month', 1, 'cells.period_start') }} as date)
        end <= data_days.last_day as is_closed
    from {{ ref('int_disclosure_cells') }} as cells
    cross join data_days
),

decisions as (
    select * from {{ ref('stg_econ_index__published_decisions') }}
),

frozen_periods as (
    select distinct
        period_grain,
        period_start
    from decisions
),

{#- Every cell of a frozen period against its frozen record: a cell added, gone, recounted, or
    published under a lower k than this build's cannot keep its published decision. #}

frozen_check as (
    select
        coalesce(sum(
            case
                when
                    current_cells.cell_id is not null
                    and decisions.cell_id is not null
                    and current_cells.n_users = decisions.n_users
                    and abs(current_cells.n_conversations - decisions.n_conversations) < 1e-6
                    and (
                        decisions.is_suppressed
                        or (
                            decisions.n_users >= {{ k_users }}
                            and not {{ below_k_conversations(
                                'decisions.n_conversations', k_conversations
                            ) }}
                        )
                    )
                    then 0
                else 1
            end
        ), 0) as n_stale
    from (
        select cells.*
        from cells
        inner join frozen_periods
            on
                cells.period_grain = frozen_periods.period_grain
                and cells.period_start = frozen_periods.period_start
    ) as current_cells
    full outer join decisions on current_cells.cell_id = decisions.cell_id
)

select
    cells.cell_id,
    cells.is_closed,
    decisions.cell_id is not null as is_frozen,
    decisions.is_suppressed as frozen_is_suppressed,
    decisions.suppression_reason as frozen_reason
from cells
cross join frozen_check
left join decisions on cells.cell_id = decisions.cell_id
where
    case
        when frozen_check.n_stale = 0 then true
        else cast({{ raise_query_error(
            "'raw.published_decisions no longer matches a closed period (stale frozen "
            ~ "decisions): late or re-labelled data arrived for it, a grain was dropped or k "
            ~ "was raised, so its published cells cannot stay as they were; when its data "
            ~ "changed, econ-index build --reopen-changed decides it again'"
        ) }} as boolean)
    end
