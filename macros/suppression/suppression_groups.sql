{#- The additive equations an attacker can difference, as group memberships.

    `cells`: the output of primary_suppression (needs cell_id and the index key columns).
    Returns one row per (group, member): group_kind, group_id, cell_id, member_role (1 = the
    group's total, 0 = a part). Groups with a single member are harmless and dropped later.

    group_kind
      hierarchy      parent = sum of its children of one level, same period/facet/variable:
                     total = sum of majors, major = sum of minors, ..., detailed = sum of
                     occupations. Tasks are split equally between the occupations sharing them,
                     so the task level is its own group under the total: total = sum of tasks.
      usage_share    usage shares of the total's children (one level) add up to 100, a constant that is known
                     even when the total is hidden: the children alone form a group.
      pattern        a node's usage = sum of its six collaboration-pattern cells.
      pattern_share  pattern shares of a node add up to 100: the patterns alone form a group.
      period         a period = sum of the finer periods nested in it (week = days, month = days,
                     quarter = months, year = quarters, all = each finer grain), same
                     level/node/facet/variable. Weeks do not nest in months. -#}

{#- Every group_kind suppression_groups emits (complementary_suppression numbers them). -#}
{% macro suppression_group_kinds() -%}
    {{ return(['hierarchy', 'usage_share', 'pattern', 'pattern_share', 'period']) }}
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

{% macro suppression_groups(cells) -%}
    {%- set grains = var('period_grains', ['day', 'week', 'month']) + ['all'] -%}
    {%- set nested = suppression_nested_grains() -%}
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
        'usage_share' as group_kind,
        {{ dbt.concat(["'usage_share|'", 'slice_key', "'|'", 'level']) }} as group_id,
        cell_id,
        0 as member_role
    from keyed
    where facet = 'usage' and level != 'total' and parent_key = 'total'

    union all

    select
        'pattern' as group_kind,
        {{ dbt.concat(["'pattern|'", 'period_grain', "'|'",
                       'cast(period_start as ' ~ dbt.type_string() ~ ')', "'|'", 'self_key']) }}
            as group_id,
        cell_id,
        case when facet = 'usage' then 1 else 0 end as member_role
    from keyed
    where (facet = 'usage' and variable = 'all') or facet = 'collaboration'

    union all

    select
        'pattern_share' as group_kind,
        {{ dbt.concat(["'pattern_share|'", 'period_grain', "'|'",
                       'cast(period_start as ' ~ dbt.type_string() ~ ')', "'|'", 'self_key']) }}
            as group_id,
        cell_id,
        0 as member_role
    from keyed
    where facet = 'collaboration'
    {%- for parent_grain in grains if parent_grain in nested %}
        {%- set spec = nested[parent_grain] %}
        {%- for child_grain in spec['children'] if child_grain in grains %}

    union all

    select
        'period' as group_kind,
        {{ dbt.concat(["'period|'", 'cell_id', "'|" ~ child_grain ~ "'"]) }} as group_id,
        cell_id,
        1 as member_role
    from keyed
    where period_grain = '{{ parent_grain }}'

    union all

    select
        'period' as group_kind,
        {{ dbt.concat(["'period|'", 'parent_cell.cell_id', "'|" ~ child_grain ~ "'"]) }} as group_id,
        child_cell.cell_id,
        0 as member_role
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
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}
