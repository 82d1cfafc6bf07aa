{#- A differencing attack on pub_index_cells, written independently of the suppression macros.

    For every additive equation a reader can write from published cells (a parent and its
    children of one level, a node and its six patterns, a mode (automation, augmentation) and
    its patterns, a node and its two modes + the pattern none, a period and the finer periods
    in it,
    an occupation and its tasks weighted by the public equal split, and the share equations
    whose total is the constant 100), a hidden cell is recovered by subtraction when it is the
    only hidden member. A published share whose base is hidden gives the base back (count /
    share). A share hidden with its base whose count frozen published cells give
    (complementary:pinned_share) counts as hidden in the share equations only: its count is
    known. Returns one row per such equation or share, per published cell below k, and per
    hidden cell still carrying a measure. -#}

{%- set k_users = k_threshold('k_users') -%}
{%- set k_conversations = k_threshold('k_conversations') -%}
{%- set grains = var('period_grains', ['day', 'week', 'month']) -%}
{%- set nested = [('week', 'day', 'day', 7), ('month', 'day', 'month', 1)] -%}

with cells as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        parent_level,
        parent_id,
        facet,
        variable,
        n_conversations,
        n_users,
        pct,
        ci_low,
        ci_high,
        is_suppressed,
        case when is_suppressed then 1 else 0 end as hidden,
        case
            when
                is_suppressed
                and coalesce(suppression_reason, '') != 'complementary:pinned_share'
                then 1
            else 0
        end as secret
    from {{ ref('pub_index_cells') }}
),

hierarchy_members as (
    select
        period_grain,
        period_start,
        facet,
        variable,
        hidden,
        secret,
        level as part_level,
        case when level = 'task' then 'total' else parent_level end as total_level,
        case
            when level = 'task' or parent_level = 'total' then 'total' else parent_id
        end as total_node
    from cells
    where level != 'total'
),

hierarchy_parts as (
    select
        period_grain,
        period_start,
        facet,
        variable,
        part_level,
        total_level,
        total_node,
        count(*) as n_parts,
        sum(hidden) as hidden_parts,
        sum(secret) as secret_parts
    from hierarchy_members
    group by
        period_grain, period_start, facet, variable, part_level, total_level, total_node
),

pattern_parts as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        count(*) as n_parts,
        sum(hidden) as hidden_parts,
        sum(secret) as secret_parts
    from cells
    where facet = 'collaboration'
    group by period_grain, period_start, level, node_id
),

-- a mode's patterns (automation: directive, feedback_loop; augmentation: task_iteration,
-- validation, learning), and a node's split: its two modes and the pattern none
mode_members as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        hidden,
        secret,
        case
            when variable in ('directive', 'feedback_loop') then 'automation'
            when variable in ('task_iteration', 'validation', 'learning') then 'augmentation'
        end as part_of
    from cells
    where facet = 'collaboration'

    union all

    select
        period_grain,
        period_start,
        level,
        node_id,
        hidden,
        secret,
        'split' as part_of
    from cells
    where facet = 'collaboration_mode' or (facet = 'collaboration' and variable = 'none')
),

mode_parts as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        part_of,
        count(*) as n_parts,
        sum(hidden) as hidden_parts,
        sum(secret) as secret_parts
    from mode_members
    where part_of is not null
    group by period_grain, period_start, level, node_id, part_of
),

-- each mode_parts group's total keyed by its part_of, so the join is on equalities only (an
-- OR in the join condition makes DuckDB fall back to a nested-loop join: hours at 1 M)
mode_totals as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        secret,
        case when facet = 'usage' then 'split' else variable end as part_of
    from cells
    where (facet = 'usage' and variable = 'all') or facet = 'collaboration_mode'
),

period_parts as (
    {#- (parent grain, part grain, datepart, length): a part lies in [start, start + length) of
        its parent; the whole history ('all') holds every part of a grain -#}
    {%- set pairs = [] -%}
    {%- for pair in nested if pair[0] in grains and pair[1] in grains -%}
        {%- do pairs.append(pair) -%}
    {%- endfor -%}
    {%- for child_grain in grains -%}
        {%- do pairs.append(('all', child_grain, none, none)) -%}
    {%- endfor %}
    {%- for parent_grain, child_grain, datepart, length in pairs %}
        select
            parent_cell.period_grain,
            parent_cell.period_start,
            parent_cell.level,
            parent_cell.node_id,
            parent_cell.facet,
            parent_cell.variable,
            '{{ child_grain }}' as part_grain,
            max(parent_cell.secret) as total_secret,
            count(*) as n_parts,
            sum(child_cell.secret) as secret_parts
        from cells as parent_cell
        inner join cells as child_cell
            on
                parent_cell.level = child_cell.level
                and parent_cell.node_id = child_cell.node_id
                and parent_cell.facet = child_cell.facet
                and parent_cell.variable = child_cell.variable
                {%- if datepart %}
                    and parent_cell.period_start <= child_cell.period_start
                    and child_cell.period_start
                    < {{ dbt.dateadd(datepart, length, 'parent_cell.period_start') }}
                {%- endif %}
        where
            parent_cell.period_grain = '{{ parent_grain }}'
            and child_cell.period_grain = '{{ child_grain }}'
        group by
            parent_cell.period_grain,
            parent_cell.period_start,
            parent_cell.level,
            parent_cell.node_id,
            parent_cell.facet,
            parent_cell.variable
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

allocation_parts as (
    select
        task_cell.period_grain,
        task_cell.period_start,
        allocation.onet_soc_code as occupation_id,
        count(*) as n_parts,
        sum(task_cell.secret) as secret_parts
    from cells as task_cell
    inner join {{ ref('int_task_allocation') }} as allocation
        on task_cell.node_id = allocation.onet_task_id
    where task_cell.level = 'task' and task_cell.facet = 'usage'
    group by task_cell.period_grain, task_cell.period_start, allocation.onet_soc_code
),

-- a visible share and its count give a hidden base back (count / share * 100): the
-- period total for usage cells, the node's usage for its patterns and modes
hidden_bases as (
    select
        shown.period_grain,
        shown.period_start,
        shown.level,
        shown.node_id,
        shown.variable
    from cells as shown
    inner join cells as total_cell
        on
            shown.period_grain = total_cell.period_grain
            and shown.period_start = total_cell.period_start
    where
        shown.facet = 'usage'
        and shown.hidden = 0
        and total_cell.level = 'total'
        and total_cell.facet = 'usage'
        and total_cell.hidden = 1

    union all

    select
        shown.period_grain,
        shown.period_start,
        shown.level,
        shown.node_id,
        shown.variable
    from cells as shown
    inner join cells as node_cell
        on
            shown.period_grain = node_cell.period_grain
            and shown.period_start = node_cell.period_start
            and shown.level = node_cell.level
            and shown.node_id = node_cell.node_id
    where
        shown.facet != 'usage'
        and shown.hidden = 0
        and node_cell.facet = 'usage'
        and node_cell.hidden = 1
),

equations as (
    select
        'hierarchy' as equation,
        {{ dbt.concat(['parts.period_grain', "'|'", 'cast(parts.period_start as '
                       ~ dbt.type_string() ~ ')', "'|'", 'parts.facet', "'|'",
                       'parts.variable', "'|'", 'parts.total_node', "'|'",
                       'parts.part_level']) }} as equation_key,
        parts.n_parts + case when total_cell.level is null then 0 else 1 end as n_members,
        parts.secret_parts + coalesce(total_cell.secret, 0) as n_hidden
    from hierarchy_parts as parts
    left join cells as total_cell
        on
            parts.period_grain = total_cell.period_grain
            and parts.period_start = total_cell.period_start
            and parts.facet = total_cell.facet
            and parts.variable = total_cell.variable
            and parts.total_level = total_cell.level
            and parts.total_node = total_cell.node_id

    union all

    select
        'usage_share' as equation,
        {{ dbt.concat(['period_grain', "'|'", 'cast(period_start as ' ~ dbt.type_string() ~ ')',
                       "'|'", 'part_level']) }} as equation_key,
        n_parts as n_members,
        hidden_parts as n_hidden
    from hierarchy_parts
    where facet = 'usage' and total_level = 'total'

    union all

    select
        'pattern' as equation,
        {{ dbt.concat(['parts.period_grain', "'|'", 'cast(parts.period_start as '
                       ~ dbt.type_string() ~ ')', "'|'", 'parts.level', "'|'",
                       'parts.node_id']) }} as equation_key,
        parts.n_parts + case when total_cell.level is null then 0 else 1 end as n_members,
        parts.secret_parts + coalesce(total_cell.secret, 0) as n_hidden
    from pattern_parts as parts
    left join cells as total_cell
        on
            parts.period_grain = total_cell.period_grain
            and parts.period_start = total_cell.period_start
            and parts.level = total_cell.level
            and parts.node_id = total_cell.node_id
            and total_cell.facet = 'usage'
            and total_cell.variable = 'all'

    union all

    select
        'pattern_share' as equation,
        {{ dbt.concat(['period_grain', "'|'", 'cast(period_start as ' ~ dbt.type_string() ~ ')',
                       "'|'", 'level', "'|'", 'node_id']) }} as equation_key,
        n_parts as n_members,
        hidden_parts as n_hidden
    from pattern_parts

    union all

    select
        'mode' as equation,
        {{ dbt.concat(['parts.period_grain', "'|'", 'cast(parts.period_start as '
                       ~ dbt.type_string() ~ ')', "'|'", 'parts.level', "'|'",
                       'parts.node_id', "'|'", 'parts.part_of']) }} as equation_key,
        parts.n_parts + case when total_cell.level is null then 0 else 1 end as n_members,
        parts.secret_parts + coalesce(total_cell.secret, 0) as n_hidden
    from mode_parts as parts
    left join mode_totals as total_cell
        on
            parts.period_grain = total_cell.period_grain
            and parts.period_start = total_cell.period_start
            and parts.level = total_cell.level
            and parts.node_id = total_cell.node_id
            and parts.part_of = total_cell.part_of

    union all

    select
        'mode_share' as equation,
        {{ dbt.concat(['period_grain', "'|'", 'cast(period_start as ' ~ dbt.type_string() ~ ')',
                       "'|'", 'level', "'|'", 'node_id']) }} as equation_key,
        n_parts as n_members,
        hidden_parts as n_hidden
    from mode_parts
    where part_of = 'split'

    union all

    select
        'allocation' as equation,
        {{ dbt.concat(['parts.period_grain', "'|'", 'cast(parts.period_start as '
                       ~ dbt.type_string() ~ ')', "'|'", 'parts.occupation_id']) }}
            as equation_key,
        parts.n_parts + case when occupation_cell.level is null then 0 else 1 end as n_members,
        parts.secret_parts + coalesce(occupation_cell.secret, 0) as n_hidden
    from allocation_parts as parts
    left join cells as occupation_cell
        on
            parts.period_grain = occupation_cell.period_grain
            and parts.period_start = occupation_cell.period_start
            and parts.occupation_id = occupation_cell.node_id
            and occupation_cell.level = 'occupation'
            and occupation_cell.facet = 'usage'

    union all

    select
        'period' as equation,
        {{ dbt.concat(['period_grain', "'|'", 'cast(period_start as ' ~ dbt.type_string() ~ ')',
                       "'|'", 'level', "'|'", 'node_id', "'|'", 'facet', "'|'", 'variable',
                       "'|'", 'part_grain']) }} as equation_key,
        n_parts + 1 as n_members,
        secret_parts + total_secret as n_hidden
    from period_parts
)

select
    {{ dbt.concat(["'recoverable:'", 'equation']) }} as failure,
    equation_key as detail
from equations
where n_hidden = 1 and n_members >= 2

union all

select
    'published_below_k' as failure,
    {{ dbt.concat(['period_grain', "'|'", 'level', "'|'", 'node_id', "'|'", 'variable']) }}
        as detail
from cells
where
    not is_suppressed
    and (
        coalesce(n_users, 0) < {{ k_users }}
        or {{ below_k_conversations('n_conversations', k_conversations) }}
    )

union all

select
    'share_of_hidden_base' as failure,
    {{ dbt.concat(['period_grain', "'|'", 'cast(period_start as ' ~ dbt.type_string() ~ ')',
                   "'|'", 'level', "'|'", 'node_id', "'|'", 'variable']) }} as detail
from hidden_bases

union all

select
    'measure_on_hidden_cell' as failure,
    {{ dbt.concat(['period_grain', "'|'", 'level', "'|'", 'node_id', "'|'", 'variable']) }}
        as detail
from cells
where
    is_suppressed
    and (
        n_conversations is not null
        or n_users is not null
        or pct is not null
        or ci_low is not null
        or ci_high is not null
    )
