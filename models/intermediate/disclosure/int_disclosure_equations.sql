{#- The one statement of which published cells add up to which (doc block
    `disclosure_equations`): one row per (equation, member cell) with its coefficient in
    sum(coefficient x cell) = 0 (parts +1 or their public split, the total -1). Secondary
    suppression reads every equation; the exact audit (econ_index.audit) reads those that are
    not implied by the others. Stored by integer keys (equation_no: the equations numbered in
    the order of their names, equation_id below; cell_no: int_disclosure_cells'): writing and
    joining the millions of rows by wide strings was most of the chain's time. Grain:
    (equation_no, cell_no). -#}
{%- set grains = period_grains() -%}
{%- set nested = disclosure_nested_grains() -%}
{%- set finer = grains | reject('equalto', 'all') | list -%}
{#- With days, every grain is a sum of days, so `all` = its coarsest grain implies the rest -#}
{%- set coarsest = (['month', 'week', 'day'] | select('in', finer) | list + [none])[0] -%}
{%- set weeks_in_months = 'day' in grains and 'week' in grains and 'month' in grains -%}
{%- set part = 'cast(1 as ' ~ type_double() ~ ')' -%}
{%- set total = 'cast(-1 as ' ~ type_double() ~ ')' -%}
{%- if 'day' in grains -%}
    {%- set period_implied = "(parent_grain = 'month' and "
        ~ ('true' if weeks_in_months else 'false')
        ~ ") or (parent_grain = 'all' and child_grain != '" ~ coarsest ~ "')" -%}
{%- else -%}
    {%- set period_implied = 'false' -%}
{%- endif -%}

with cells as (
    select
        cell_id,
        cell_no,
        period_grain,
        period_start,
        level,
        node_id,
        facet,
        variable,
        {{ dbt.concat(['period_grain', "'|'", 'cast(period_start as ' ~ dbt.type_string() ~ ')',
                       "'|'", 'facet', "'|'", 'variable']) }} as slice_key,
        case
            when level = 'total' then 'total'
            else {{ dbt.concat(['level', "':'", 'node_id']) }}
        end as self_key,
        case
            when level = 'task' or parent_level = 'total' then 'total'
            else {{ dbt.concat(['parent_level', "':'", 'parent_id']) }}
        end as parent_key,
        {#- the mode a pattern or mode cell adds up to (none for the `none` pattern) #}
        case
            when facet = 'collaboration_mode' then variable
            when facet = 'collaboration' and {{ is_automation('variable') }} then 'automation'
            when facet = 'collaboration' and {{ is_augmentation('variable') }} then 'augmentation'
        end as collaboration_mode
    from {{ ref('int_disclosure_cells') }}
),

{#- (parent period cell, a finer period cell inside it) of one level/node/facet/variable #}

period_parts as (
    {%- set pairs = [] -%}
    {%- for parent_grain, spec in nested.items()
        if parent_grain in grains and spec[0] in grains -%}
        {%- do pairs.append((parent_grain, spec[0], spec[1], spec[2])) -%}
    {%- endfor -%}
    {%- if weeks_in_months -%}
        {%- do pairs.append(('month', 'week', 'month', 1)) -%}
    {%- endif -%}
    {%- for grain in finer -%}
        {%- do pairs.append(('all', grain, none, none)) -%}
    {%- endfor %}
    {%- for parent_grain, child_grain, datepart, length in pairs %}
        select
            parent_cell.cell_id as parent_cell_id,
            parent_cell.cell_no as parent_cell_no,
            parent_cell.period_grain as parent_grain,
            parent_cell.period_start as parent_start,
            child_cell.cell_no,
            child_cell.period_grain as child_grain,
            child_cell.period_start as child_start
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
        {%- if not loop.last %}

            union all
        {% endif %}
    {%- endfor %}
    {%- if not pairs %}
    select
        cell_id as parent_cell_id,
        cell_no as parent_cell_no,
        period_grain as parent_grain,
        period_start as parent_start,
        cell_no,
        period_grain as child_grain,
        period_start as child_start
    from cells
    where 1 = 0
    {%- endif %}
),

{#- the (slice, parent, level) of every hierarchy equation, each once: joined to its parent
    cell as a group rather than row by row and then made distinct #}

child_groups as (
    select distinct
        slice_key,
        parent_key,
        level
    from cells
    where level != 'total'
),

{#- a day or week of a month, and whether its week straddles the month's bounds #}

month_parts as (
    select
        parent_cell_id,
        parent_cell_no,
        parent_start,
        cell_no,
        child_grain,
        child_start,
        {{ dbt.date_trunc('month', iso_week_start('child_start')) }}
        != {{ dbt.date_trunc('month', dbt.dateadd('day', 6, iso_week_start('child_start'))) }}
            as in_straddling_week
    from period_parts
    where parent_grain = 'month'
),

members as {{ cte_materialized() }} (
    {#- hierarchy: a parent = its children of one level (tasks sit under the total) #}
    select
        'hierarchy' as equation_kind,
        {{ dbt.concat(["'hierarchy|'", 'slice_key', "'|'", 'parent_key', "'|'", 'level']) }}
            as equation_id,
        cell_no,
        {{ part }} as coefficient,
        0 as member_role,
        false as is_implied
    from cells
    where level != 'total'

    union all

    select
        'hierarchy' as equation_kind,
        {{ dbt.concat(["'hierarchy|'", 'child_groups.slice_key', "'|'", 'child_groups.parent_key',
                       "'|'", 'child_groups.level']) }} as equation_id,
        parent_cell.cell_no,
        {{ total }} as coefficient,
        1 as member_role,
        false as is_implied
    from child_groups
    inner join cells as parent_cell
        on
            child_groups.slice_key = parent_cell.slice_key
            and child_groups.parent_key = parent_cell.self_key

    union all

    {#- pattern: a node's usage = its six collaboration-pattern cells #}
    select
        'pattern' as equation_kind,
        {{ dbt.concat(["'pattern|'", 'period_grain', "'|'",
                       'cast(period_start as ' ~ dbt.type_string() ~ ')', "'|'", 'self_key']) }}
            as equation_id,
        cell_no,
        case when facet = 'usage' then {{ total }} else {{ part }} end as coefficient,
        case when facet = 'usage' then 1 else 0 end as member_role,
        false as is_implied
    from cells
    where (facet = 'usage' and variable = 'all') or facet = 'collaboration'

    union all

    {#- mode: a node's automation = directive + feedback_loop, its augmentation = task_iteration
        + validation + learning (cells of their own, facet collaboration_mode) #}
    select
        'pattern' as equation_kind,
        {{ dbt.concat(["'pattern|'", 'period_grain', "'|'",
                       'cast(period_start as ' ~ dbt.type_string() ~ ')', "'|'", 'self_key',
                       "'|'", 'collaboration_mode']) }} as equation_id,
        cell_no,
        case when facet = 'collaboration_mode' then {{ total }} else {{ part }} end as coefficient,
        case when facet = 'collaboration_mode' then 1 else 0 end as member_role,
        false as is_implied
    from cells
    where collaboration_mode is not null

    union all

    {#- and, implied by the six patterns and the two modes: usage = automation + augmentation +
        none, which the rounds protect as a group of its own #}
    select
        'pattern' as equation_kind,
        {{ dbt.concat(["'pattern|'", 'period_grain', "'|'",
                       'cast(period_start as ' ~ dbt.type_string() ~ ')', "'|'", 'self_key',
                       "'|'", "'modes'"]) }} as equation_id,
        cell_no,
        case when facet = 'usage' then {{ total }} else {{ part }} end as coefficient,
        case when facet = 'usage' then 1 else 0 end as member_role,
        true as is_implied
    from cells
    where
        (facet = 'usage' and variable = 'all')
        or facet = 'collaboration_mode'
        or (facet = 'collaboration' and variable = 'none')

    union all

    {#- allocation: an occupation = sum of allocation_share x its tasks (public O*NET split) #}
    select
        'allocation' as equation_kind,
        {{ dbt.concat(["'allocation|'", 'slice_key', "'|'", 'node_id']) }} as equation_id,
        cell_no,
        {{ total }} as coefficient,
        1 as member_role,
        false as is_implied
    from cells
    where level = 'occupation' and facet = 'usage'

    union all

    select
        'allocation' as equation_kind,
        {{ dbt.concat(["'allocation|'", 'task_cell.slice_key', "'|'",
                       'allocation.onet_soc_code']) }} as equation_id,
        task_cell.cell_no,
        cast(allocation.allocation_share as {{ type_double() }}) as coefficient,
        0 as member_role,
        false as is_implied
    from cells as task_cell
    inner join {{ ref('int_task_allocation') }} as allocation
        on task_cell.node_id = allocation.onet_task_id
    where task_cell.level = 'task' and task_cell.facet = 'usage'

    union all

    {#- period: a period = the finer periods inside it. A month = its days is implied by the
        month = its inner weeks + the days of its straddling weeks, and `all` = a grain by
        `all` = the coarsest grain, once days link them; the audit leaves the implied ones out
        (they only densify its factorisation), the rounds read them as groups of their own #}
    select
        'period' as equation_kind,
        {{ dbt.concat(["'period|'", 'parent_cell_id', "'|'", 'child_grain']) }} as equation_id,
        cell_no,
        {{ part }} as coefficient,
        0 as member_role,
        {{ period_implied }} as is_implied
    from period_parts
    where parent_grain != 'month' or child_grain = 'day'

    union all

    select distinct
        'period' as equation_kind,
        {{ dbt.concat(["'period|'", 'parent_cell_id', "'|'", 'child_grain']) }} as equation_id,
        parent_cell_no as cell_no,
        {{ total }} as coefficient,
        1 as member_role,
        {{ period_implied }} as is_implied
    from period_parts
    where parent_grain != 'month' or child_grain = 'day'
    {%- if weeks_in_months %}

        union all

        {#- a month = the weeks inside it + the days of the weeks that straddle its bounds #}
        select
            'period' as equation_kind,
            {{ dbt.concat(["'period|'", 'parent_cell_id', "'|in'"]) }} as equation_id,
            cell_no,
            {{ part }} as coefficient,
            0 as member_role,
            false as is_implied
        from month_parts
        where
            (child_grain = 'week' and not in_straddling_week)
            or (child_grain = 'day' and in_straddling_week)

        union all

        select distinct
            'period' as equation_kind,
            {{ dbt.concat(["'period|'", 'parent_cell_id', "'|in'"]) }} as equation_id,
            parent_cell_no as cell_no,
            {{ total }} as coefficient,
            1 as member_role,
            false as is_implied
        from month_parts

        union all

    {#- the days of a straddling week inside one month: their sum follows from the published
        week and month (so no total cell), which the rounds protect as a group #}
        select
            'period' as equation_kind,
        {{ dbt.concat(["'period|'", 'week_part.parent_cell_id', "'|block|'",
                       'cast(month_part.parent_start as ' ~ dbt.type_string() ~ ')']) }}
                as equation_id,
            week_part.cell_no,
            {{ part }} as coefficient,
            0 as member_role,
            true as is_implied
        from period_parts as week_part
        inner join month_parts as month_part
            on week_part.cell_no = month_part.cell_no
        where
            week_part.parent_grain = 'week'
            and month_part.child_grain = 'day'
            and month_part.in_straddling_week
    {%- endif %}
),

{#- an equation of one member (a task's pattern equation: tasks have no pattern cells) says
    nothing. Counted by a grouping rather than a window over every member: a window partitions
    and carries all member rows by their wide equation_id (half this model's time at 100,000).
    Numbered in equation_id order, so the audit's matrix rows keep their order. #}

sized as (
    select
        equation_id,
        row_number() over (order by equation_id) as equation_no
    from members
    group by equation_id
    having count(*) >= 2
)

select
    sized.equation_no,
    members.equation_kind,
    members.cell_no,
    members.coefficient,
    members.member_role,
    members.is_implied
from members
inner join sized on members.equation_id = sized.equation_id
