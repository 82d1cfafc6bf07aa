{#- Complementary suppression to a fixpoint, unrolled as a fixed number of set-based rounds.

    `cells`: output of primary_suppression (cell_id, n_conversations, is_primary_suppressed).
    `groups`: output of suppression_groups (group_kind, group_id, cell_id, member_role).
    Returns one row per cell: cell_id, is_suppressed, complementary_reason.

    Each round, in every group holding exactly one hidden member, the smallest visible member is
    hidden too: parts before the total, then fewest conversations, then cell_id (deterministic).
    Every round reads the previous one exactly once, so engines that inline CTEs (Spark) see a
    linear plan. If hidden cells still sit alone in a group after the last round, the fixpoint
    was not reached and every cell of every group is hidden ('complementary:not_converged'):
    the output stays safe, and assert_published_suppression_converged fails the build. -#}

{% macro complementary_suppression(cells, groups, max_rounds=none) -%}
    {%- set rounds = (max_rounds or var('suppression_max_rounds', 24)) | int -%}
    with members as (
        select
            memberships.group_kind,
            memberships.group_id,
            memberships.cell_id,
            memberships.member_role,
            coalesce(cells.n_conversations, 0) as sort_n,
            case when cells.is_primary_suppressed then 1 else 0 end as is_hidden,
            count(*) over (partition by memberships.group_id) as group_size
        from {{ groups }} as memberships
        inner join {{ cells }} as cells on memberships.cell_id = cells.cell_id
    ),

    round_0 as (
        select
            group_kind,
            group_id,
            cell_id,
            member_role,
            sort_n,
            is_hidden,
            cast(null as {{ dbt.type_string() }}) as complementary_reason
        from members
        where group_size >= 2
    ),
    {%- for round in range(1, rounds + 1) %}

    ranked_{{ round }} as (
        select
            group_kind,
            group_id,
            cell_id,
            member_role,
            sort_n,
            is_hidden,
            complementary_reason,
            sum(is_hidden) over (partition by group_id) as n_hidden,
            row_number() over (
                partition by group_id order by is_hidden, member_role, sort_n, cell_id
            ) as pick_order
        from round_{{ round - 1 }}
    ),

    round_{{ round }} as {{ cte_materialized() }} (
        select
            group_kind,
            group_id,
            cell_id,
            member_role,
            sort_n,
            max(
                case when n_hidden = 1 and pick_order = 1 then 1 else is_hidden end
            ) over (partition by cell_id) as is_hidden,
            coalesce(
                complementary_reason,
                max(
                    case
                        when n_hidden = 1 and pick_order = 1 and is_hidden = 0
                            then {{ dbt.concat(["'complementary:'", 'group_kind']) }}
                    end
                ) over (partition by cell_id)
            ) as complementary_reason
        from ranked_{{ round }}
    ),
    {%- endfor %}

    unresolved as (
        select
            cell_id,
            is_hidden,
            complementary_reason,
            case when sum(is_hidden) over (partition by group_id) = 1 then 1 else 0 end
                as is_alone
        from round_{{ rounds }}
    ),

    final_state as (
        select
            cell_id,
            max(is_hidden) as is_hidden,
            max(complementary_reason) as complementary_reason,
            max(max(is_alone)) over () as is_not_converged
        from unresolved
        group by cell_id
    )

    select
        cells.cell_id,
        (
            cells.is_primary_suppressed
            or coalesce(final_state.is_hidden, 0) = 1
            or coalesce(final_state.is_not_converged, 0) = 1
        ) as is_suppressed,
        case
            when cells.is_primary_suppressed then null
            when final_state.is_hidden = 1 then final_state.complementary_reason
            when final_state.is_not_converged = 1 then 'complementary:not_converged'
        end as complementary_reason
    from {{ cells }} as cells
    left join final_state on cells.cell_id = final_state.cell_id
{%- endmacro %}
