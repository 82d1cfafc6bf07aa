-- The wide collaboration mart says what pub_index_cells says and nothing more: each pattern
-- cell's share and count, and each mode cell's count, reappear in its column (null exactly
-- when the cell is suppressed), a complete row's six shares add up to 100, and automation +
-- augmentation = 100.
{%- set patterns = collaboration_patterns() %}
{%- set modes = ['automation', 'augmentation'] %}

with wide_as_long as (
    {% for variable in patterns + modes %}
        select
            period_grain,
            period_start,
            level,
            node_id,
            '{{ variable }}' as variable,
            {% if variable in patterns -%}
                {{ variable }}_pct_of_node
            {%- else -%}
                cast(null as {{ type_double() }})
            {%- endif %} as pct_of_node,
            {{ variable }}_n_conversations as n_conversations
        from {{ ref('pub_collaboration_by_node') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

cells as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        variable,
        case when facet = 'collaboration' then pct end as pct,
        n_conversations,
        is_suppressed
    from {{ ref('pub_index_cells') }}
    where facet in ('collaboration', 'collaboration_mode')
)

select
    cells.period_grain,
    cells.period_start,
    cells.level,
    cells.node_id,
    cells.variable,
    'cell differs from its wide column' as failure
from cells
left join wide_as_long
    on
        cells.period_grain = wide_as_long.period_grain
        and cells.period_start = wide_as_long.period_start
        and cells.level = wide_as_long.level
        and cells.node_id = wide_as_long.node_id
        and cells.variable = wide_as_long.variable
where
    wide_as_long.node_id is null
    or (cells.is_suppressed and wide_as_long.pct_of_node is not null)
    or (cells.is_suppressed and wide_as_long.n_conversations is not null)
    or (not cells.is_suppressed and abs(cells.pct - wide_as_long.pct_of_node) > 0.000001)
    or (
        not cells.is_suppressed
        and abs(cells.n_conversations - wide_as_long.n_conversations) > 0.000001
    )

union all

select
    period_grain,
    period_start,
    level,
    node_id,
    cast(null as {{ dbt.type_string() }}) as variable,
    'complete row does not add up to 100' as failure
from {{ ref('pub_collaboration_by_node') }}
where
    is_complete
    and abs({{ sum_of_pattern_columns(patterns, '_pct_of_node') }} - 100) > 0.000001

union all

select
    period_grain,
    period_start,
    level,
    node_id,
    cast(null as {{ dbt.type_string() }}) as variable,
    'automation and augmentation do not partition the five-pattern base' as failure
from {{ ref('pub_collaboration_by_node') }}
where
    abs(automation_pct_of_five_pattern_base + augmentation_pct_of_five_pattern_base - 100)
    > 0.000001
