{#- Secondary (complementary) suppression to a fixpoint (doc block `suppression_algorithm`,
    step 2), unrolled as var('suppression_max_rounds') set-based rounds over the groups of
    int_disclosure_equations and the direct share groups (int_disclosure_cells.base_cell_no).
    Grain: cell_id.

    Each round, in every group holding exactly one hidden member, one visible member is hidden
    too: parts before the total, then the lowest hide_cost (the finest, least-read cells), then
    the fewest conversations, then cell_id (deterministic). A share_base group does not take
    that rule: once its base (member_role 1) is hidden, every member is hidden (the cascade).
    Every round reads the previous one exactly once, so engines that inline CTEs (Spark) see a
    linear plan.

    Rounds stay cheap: they work on integer numbers instead of the wide string keys, only
    groups that can act enter them, a member's place in the pick order is fixed once
    (pick_rank), and a group with two or more hidden members is settled for good (hidden members
    only ever grow; a share_base group only once all its members are hidden), so its rows leave
    the rounds. Only its complementary-hidden members stay, parked in group 0, which never acts,
    so their reason survives; primary-hidden cells are known from int_suppression_primary and
    visible members of a settled group can only be hidden through another group, where they
    still have a row.

    A published cell of a frozen closed period (int_suppression_primary.is_frozen; doc block
    `incremental_time_suppression`) is never picked, nor an open one that a group adds up from
    such cells alone (pinned): protection comes from open periods and the all-time cells, and
    a group that has nothing else to give stays unresolved. The one exception is the share
    cascade: a pinned share of a hidden base is hidden (its share would give the base back),
    with reason 'complementary:pinned_share'; its count stays known from the frozen cells, so
    it is not a secret a group must protect (it does not count as hidden there), and the audit
    reads it as published.

    If hidden cells still sit alone in a group (or a cascade is unfinished) after the last
    round, the fixpoint was not reached and every cell is hidden
    ('complementary:not_converged'): the output stays safe, and
    assert_published_suppression_converged fails the build. -#}
{%- set rounds = var('suppression_max_rounds', 24) | int -%}
{#- every equation_kind of int_disclosure_equations (tested there), and the share bases -#}
{%- set kinds = ['allocation', 'hierarchy', 'pattern', 'period', 'share_base'] -%}
{%- set cascade_kind_no = kinds.index('share_base') + 1 -%}
{#- what every round carries unchanged (the hidden state and reason are recomputed) -#}
{%- set carried = [
    'cell_no', 'kind_no', 'pick_rank', 'is_cascade_total', 'n_members', 'is_fixed', 'is_pinned'
] %}

with cells as (
    select
        cells.cell_id,
        cells.cell_no,
        cells.base_cell_no,
        cells.n_conversations,
        cells.hide_cost,
        primary_cells.is_primary_suppressed,
        primary_cells.primary_reason,
        primary_cells.is_frozen and not primary_cells.is_primary_suppressed as is_fixed
    from {{ ref('int_disclosure_cells') }} as cells
    inner join {{ ref('int_suppression_primary') }} as primary_cells
        on cells.cell_id = primary_cells.cell_id
),

{#- The rounds work on small integers: a group is its equation_no, or minus its base's cell_no
    (any number: groups are independent), a cell its cell_no (in cell_id order, so ties still
    break on cell_id) and kind_no (in name order, so the max over kinds picks the same reason
    as the max over their names). #}

cell_numbers as (
    select
        cell_no,
        hide_cost,
        coalesce(n_conversations, 0) as sort_n,
        case when is_primary_suppressed then 1 else 0 end as is_hidden,
        case when is_fixed then 1 else 0 end as is_fixed,
        {#- a pinned share frozen as such: still known from the frozen cells that pinned it #}
        case
            when primary_reason = 'complementary:pinned_share' then 1 else 0
        end as is_count_known
    from cells
),

memberships as (
    select
        equation_kind as group_kind,
        equation_no as group_id,
        cell_no,
        member_role
    from {{ ref('int_disclosure_equations') }}

    union all

    {#- a share's base and the cells whose shares are of it (count / share gives it back): the
        direct ones (int_disclosure_share_groups' first step), as the cascade reaches the shares
        of a share round by round #}
    select
        'share_base' as group_kind,
        -base_cell_no as group_id,
        cell_no,
        0 as member_role
    from cells
    where base_cell_no is not null

    union all

    select distinct
        'share_base' as group_kind,
        -base_cell_no as group_id,
        base_cell_no as cell_no,
        1 as member_role
    from cells
    where base_cell_no is not null
),

member_cells as {{ cte_materialized() }} (
    select
        memberships.group_kind,
        memberships.group_id,
        memberships.member_role,
        cell_numbers.cell_no,
        cell_numbers.hide_cost,
        cell_numbers.sort_n,
        cell_numbers.is_hidden,
        cell_numbers.is_fixed,
        cell_numbers.is_count_known
    from memberships
    inner join cell_numbers on memberships.cell_no = cell_numbers.cell_no
),

{#- Every group's counts, in one grouping that both uses below (windows over the millions of
    member rows, partitioned by the wide group_id, took most of this model's time). #}

group_counts as {{ cte_materialized() }} (
    select
        group_id,
        max(group_kind) as group_kind,
        count(*) as n_members,
        sum(is_fixed) as n_fixed,
        min(is_hidden) as min_hidden,
        sum(is_hidden * (1 - is_count_known)) as n_secret
    from member_cells
    group by group_id
),

{#- An open cell that one group adds up from frozen published cells alone (a week whose days
    are all frozen, a base whose shares are) is published in effect: hiding it would protect
    nothing, so it is never picked either. #}

pinned as (
    select distinct member_cells.cell_no
    from member_cells
    inner join group_counts on member_cells.group_id = group_counts.group_id
    where
        member_cells.is_hidden = 0
        and member_cells.is_fixed = 0
        and group_counts.n_fixed = group_counts.n_members - 1
        and group_counts.n_fixed > 0
        and (member_cells.group_kind != 'share_base' or member_cells.member_role = 1)
),

{#- Only groups that can still act: two or more primary-hidden members settle a group before
    the first round, and a share_base group with nothing visible has nothing to cascade to.
    Most groups of fine periods are of that kind. #}

acting_groups as (
    select group_id
    from group_counts
    where
        n_members >= 2
        and (
            (group_kind = 'share_base' and min_hidden = 0)
            or (group_kind != 'share_base' and n_secret <= 1)
        )
),

numbered as {{ cte_materialized() }} (
    select
        case member_cells.group_kind
            {%- for kind in kinds %}
                when '{{ kind }}' then {{ loop.index }}
            {%- endfor %}
        end as kind_no,
        member_cells.group_id as group_no,
        member_cells.cell_no,
        row_number() over (
            partition by member_cells.group_id
            order by
                member_cells.member_role,
                member_cells.hide_cost,
                member_cells.sort_n,
                member_cells.cell_no
        ) as pick_rank,
        case
            when member_cells.group_kind = 'share_base' then member_cells.member_role else 0
        end as is_cascade_total,
        count(*) over (partition by member_cells.group_id) as n_members,
        {#- the cascade may hide a pinned share (see the top comment), never a frozen cell #}
        case
            when member_cells.is_fixed = 1 then 1
            when pinned.cell_no is not null and member_cells.group_kind != 'share_base' then 1
            else 0
        end as is_fixed,
        case
            when pinned.cell_no is not null or member_cells.is_count_known = 1 then 1 else 0
        end as is_pinned,
        member_cells.is_hidden
    from member_cells
    inner join acting_groups on member_cells.group_id = acting_groups.group_id
    left join pinned on member_cells.cell_no = pinned.cell_no
    -- a hidden share can be left out of its base's group: the cascade only hides
    where not (
        member_cells.group_kind = 'share_base'
        and member_cells.member_role = 0
        and member_cells.is_hidden = 1
    )
),

round_0 as (
    select
        group_no,
        {{ carried | join(', ') }},
        is_hidden,
        cast(null as {{ dbt.type_int() }}) as reason_kind_no
    from numbered
),
{%- for round in range(1, rounds + 1) %}

    ranked_{{ round }} as (
        select
            group_no,
            {{ carried | join(', ') }},
            is_hidden,
            reason_kind_no,
            sum(is_hidden) over (partition by group_no) as n_hidden,
            {#- a hidden pinned cell is known from frozen ones: it needs no protection #}
            sum(is_hidden * (1 - is_pinned)) over (partition by group_no) as n_secret,
            max(is_cascade_total * is_hidden) over (partition by group_no) as is_cascading,
            min(case when is_hidden = 0 and is_fixed = 0 then pick_rank end)
                over (partition by group_no) as first_visible_rank
        from round_{{ round - 1 }}
    ),

    acting_{{ round }} as (
        select
            group_no,
            {{ carried | join(', ') }},
            is_hidden,
            reason_kind_no,
            case
                when n_hidden = n_members then 1
                when n_secret >= 2 and kind_no != {{ cascade_kind_no }} then 1
                else 0
            end as is_settled,
            case
                when is_hidden = 1 or is_fixed = 1 then 0
                when is_cascading = 1 then 1
                when
                    kind_no != {{ cascade_kind_no }}
                    and n_secret = 1
                    and pick_rank = first_visible_rank
                    then 1
                else 0
            end as is_picked
        from ranked_{{ round }}
    ),

    round_{{ round }} as {{ cte_materialized() }} (
        select
            case when is_settled = 1 then 0 else group_no end as group_no,
            {{ carried | join(', ') }},
            max(greatest(is_hidden, is_picked)) over (partition by cell_no) as is_hidden,
            coalesce(
                reason_kind_no,
                max(case when is_picked = 1 then kind_no end) over (partition by cell_no)
            ) as reason_kind_no
        from acting_{{ round }}
        where is_settled = 0 or reason_kind_no is not null
    ),
{%- endfor %}

unresolved as (
    select
        cell_no,
        is_hidden,
        is_pinned,
        reason_kind_no,
        case
            when group_no = 0 then 0
            when kind_no = {{ cascade_kind_no }}
                then
                    max(is_cascade_total * is_hidden) over (partition by group_no)
                    * case
                        when sum(is_hidden) over (partition by group_no) < n_members
                            then 1
                        else 0
                    end
            when sum(is_hidden * (1 - is_pinned)) over (partition by group_no) = 1 then 1
            else 0
        end as is_alone
    from round_{{ rounds }}
),

final_numbers as (
    select
        cell_no,
        max(is_hidden) as is_hidden,
        max(is_pinned) as is_pinned,
        max(reason_kind_no) as reason_kind_no
    from unresolved
    group by cell_no
),

convergence as (
    select max(is_alone) as is_not_converged
    from unresolved
),

final_state as (
    select
        final_numbers.cell_no,
        final_numbers.is_hidden,
        case
            when final_numbers.is_pinned = 1 then 'complementary:pinned_share'
            {%- for kind in kinds %}
                when final_numbers.reason_kind_no = {{ loop.index }}
                    then 'complementary:{{ kind }}'
            {%- endfor %}
        end as complementary_reason
    from final_numbers
)

select
    cells.cell_id,
    (
        cells.is_primary_suppressed
        or coalesce(final_state.is_hidden, 0) = 1
        or coalesce(convergence.is_not_converged, 0) = 1
    ) as is_suppressed,
    case
        when cells.is_primary_suppressed then cells.primary_reason
        when final_state.is_hidden = 1 then final_state.complementary_reason
        when convergence.is_not_converged = 1 then 'complementary:not_converged'
    end as suppression_reason
from cells
cross join convergence
left join final_state on cells.cell_no = final_state.cell_no
