{#- The additive equations an attacker can difference, as group memberships.

    `cells`: the output of primary_suppression (needs cell_id and the index key columns).
    Returns one row per (group, member): group_kind, group_id, cell_id, member_role (1 = the
    group's total, 0 = a part). Groups with a single member are harmless and dropped later.

    group_kind
      hierarchy      parent = sum of its children of one level, same period/facet/variable:
                     total = sum of majors, major = sum of minors, ..., detailed = sum of
                     occupations. Tasks are split equally between the occupations sharing them,
                     so the task level is its own group under the total: total = sum of tasks.
      pattern        a node's usage = sum of its six collaboration-pattern cells (their shares
                     adding up to 100 is the same equation once the usage is known, and with
                     the usage hidden every pattern is hidden, see share_base).
      allocation     an occupation's usage = sum over the tasks its statements hold of
                     allocation_share x the task's usage (O*NET is public, the split is
                     documented), when `allocation` (int_task_allocation) is given.
      period         a period = sum of the finer periods nested in it (week = days, month = days,
                     quarter = months, year = quarters, all = each finer grain), same
                     level/node/facet/variable. Weeks do not nest in months, but the days of a
                     week that straddles two months split into two blocks whose sums follow
                     from the published weeks and months (they chain like a path), so each
                     block is a group too, its sum counted as known.
      share_base     a share's base and the cells whose shares are of it: the period's total
                     and every usage node of the period, a node's usage and its six patterns.
                     A visible share and count would give a hidden base back (count / share),
                     so this kind cascades instead: a hidden base (member_role 1) hides every
                     member. The shares of the total's children adding up to 100 is the
                     hierarchy equation once the total is known, and nothing if it is hidden. -#}

{#- Every group_kind suppression_groups emits (complementary_suppression numbers them). -#}
{% macro suppression_group_kinds() -%}
    {{ return(['allocation', 'hierarchy', 'pattern', 'period', 'share_base']) }}
{%- endmacro %}

{% macro suppression_nested_grains() -%}
    {#- parent grain -> the finer grains whose periods partition it, and its length -#}
    {{ return({
        'week': {'children': ['day'], 'datepart': 'day', 'length': 7},
        'month': {'children': ['day'], 'datepart': 'month', 'length': 1},
        'quarter': {'children': ['month', 'day'], 'datepart': 'month', 'length': 3},
        'year': {'children': ['quarter', 'month', 'day'], 'datepart': 'year', 'length': 1},
        'all': {'children': ['year', 'quarter', 'month', 'week', 'day']},
    }) }}
{%- endmacro %}

{% macro suppression_groups(cells, allocation=none) -%}
    {%- set grains = period_grains() -%}
    {%- set nested = suppression_nested_grains() -%}
    {#- weeks straddle months, and so quarters and years, whose bounds are month bounds -#}
    {%- set blocks_needed = grains | select('in', ['month', 'quarter', 'year']) | list -%}
    {%- set pairs = [] -%}
    {%- for parent_grain in grains if parent_grain in nested -%}
        {%- for child_grain in nested[parent_grain]['children'] if child_grain in grains -%}
            {%- do pairs.append((parent_grain, child_grain)) -%}
        {%- endfor -%}
    {%- endfor -%}
    with keyed as (
        select
            cell_id,
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
            end as parent_key
        from {{ cells }}
    )
    {%- if pairs %},

    {#- (parent period, a finer period inside it) of one level/node/facet/variable series -#}
    nested_parts as {{ cte_materialized() }} (
        {%- for parent_grain, child_grain in pairs %}
            {%- set spec = nested[parent_grain] %}
        select
            '{{ parent_grain }}' as parent_grain,
            '{{ child_grain }}' as child_grain,
            parent_cell.cell_id as parent_cell_id,
            parent_cell.period_start as parent_start,
            child_cell.cell_id,
            child_cell.period_start
        from keyed as child_cell
        inner join keyed as parent_cell
            on
                child_cell.level = parent_cell.level
                and child_cell.node_id = parent_cell.node_id
                and child_cell.facet = parent_cell.facet
                and child_cell.variable = parent_cell.variable
        where
            child_cell.period_grain = '{{ child_grain }}'
            and parent_cell.period_grain = '{{ parent_grain }}'
            {%- if parent_grain != 'all' %}
            and child_cell.period_start >= parent_cell.period_start
            and child_cell.period_start < {{ dbt.dateadd(spec['datepart'], spec['length'],
                                                         'parent_cell.period_start') }}
            {%- endif %}
            {%- if not loop.last %}

        union all

            {%- endif %}
        {%- endfor %}
    )
    {%- endif %}

    select
        'hierarchy' as group_kind,
        {{ dbt.concat(["'hierarchy|'", 'slice_key', "'|'", 'parent_key', "'|'", 'level']) }}
            as group_id,
        cell_id,
        0 as member_role
    from keyed
    where level != 'total'

    union all

    select distinct
        'hierarchy' as group_kind,
        {{ dbt.concat(["'hierarchy|'", 'child_cell.slice_key', "'|'", 'child_cell.parent_key',
                       "'|'", 'child_cell.level']) }} as group_id,
        parent_cell.cell_id,
        1 as member_role
    from keyed as child_cell
    inner join keyed as parent_cell
        on
            child_cell.slice_key = parent_cell.slice_key
            and child_cell.parent_key = parent_cell.self_key
    where child_cell.level != 'total'

    union all

    select
        'share_base' as group_kind,
        {{ dbt.concat(["'share_base|'", 'slice_key']) }} as group_id,
        cell_id,
        case when level = 'total' then 1 else 0 end as member_role
    from keyed
    where facet = 'usage'

    union all

    {#- a node's usage and its six patterns: the base of the pattern shares, and an equation #}
    {%- for kind in ['share_base', 'pattern'] %}
    select
        '{{ kind }}' as group_kind,
        {{ dbt.concat(["'" ~ kind ~ "|'", 'period_grain', "'|'",
                       'cast(period_start as ' ~ dbt.type_string() ~ ')', "'|'", 'self_key']) }}
            as group_id,
        cell_id,
        case when facet = 'usage' then 1 else 0 end as member_role
    from keyed
    where (facet = 'usage' and variable = 'all') or facet = 'collaboration'
    {%- if not loop.last %}

    union all

    {% endif %}
    {%- endfor %}

    {%- if allocation %}

    union all

    select
        'allocation' as group_kind,
        {{ dbt.concat(["'allocation|'", 'slice_key', "'|'", 'node_id']) }} as group_id,
        cell_id,
        1 as member_role
    from keyed
    where level = 'occupation' and facet = 'usage'

    union all

    select
        'allocation' as group_kind,
        {{ dbt.concat(["'allocation|'", 'task_cell.slice_key', "'|'",
                       'allocation.onet_soc_code']) }} as group_id,
        task_cell.cell_id,
        0 as member_role
    from keyed as task_cell
    inner join {{ allocation }} as allocation
        on task_cell.node_id = allocation.onet_task_id
    where task_cell.level = 'task' and task_cell.facet = 'usage'
    {%- endif %}
    {%- for parent_grain, child_grain in pairs %}

    union all

    select
        'period' as group_kind,
        {{ dbt.concat(["'period|'", 'cell_id', "'|" ~ child_grain ~ "'"]) }} as group_id,
        cell_id,
        1 as member_role
    from keyed
    where period_grain = '{{ parent_grain }}'
    {%- endfor %}
    {%- if pairs %}

    union all

    select
        'period' as group_kind,
        {{ dbt.concat(["'period|'", 'parent_cell_id', "'|'", 'child_grain']) }} as group_id,
        cell_id,
        0 as member_role
    from nested_parts
    {%- endif %}
    {%- if ('week', 'day') in pairs and blocks_needed %}

    union all

    {#- the days of a straddling week in one month: a block whose sum is known #}
    select
        'period' as group_kind,
        {{ dbt.concat(["'period|'", 'parent_cell_id', "'|block|'",
                       'cast(' ~ dbt.date_trunc('month', 'period_start')
                       ~ ' as ' ~ dbt.type_string() ~ ')']) }} as group_id,
        cell_id,
        0 as member_role
    from nested_parts
    where
        parent_grain = 'week'
        and child_grain = 'day'
        and {{ dbt.date_trunc('month', 'parent_start') }}
        != {{ dbt.date_trunc('month', dbt.dateadd('day', 6, 'parent_start')) }}
    {%- endif %}
{%- endmacro %}
