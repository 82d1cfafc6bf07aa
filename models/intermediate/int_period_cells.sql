{#- The index cells (doc block `index_cells`) before they are dated: keyed on the intermediate
    models' period_start (grain `all` on the internal sentinel), with no period_end or
    is_partial_period, which follow from the data's first and last day and so change with
    every new day. Incremental by period (macros/incremental): a daily run recomputes the cells
    of the periods its labels touch and leaves the others; int_index_cells, a view, dates them.
    Grain: (period_grain, period_start, level, node_id, facet, variable). -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set unit = ['period_grain', 'period_start'] %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

with {{ changed_units_cte(by_user=false) }}

totals as (
    select
        period_grain,
        period_start,
        collaboration_pattern,
        n_conversations,
        n_users,
        last_loaded_at
    from {{ rows_in_changed_units(ref('int_period_totals'), unit) }}
),

usage_total as (
    select
        period_grain,
        period_start,
        n_conversations
    from totals
    where collaboration_pattern = 'all'
),

soc_titles as (
    select
        onet_soc_code as soc_code,
        occupation_title as soc_title
    from {{ ref('stg_onet__occupations') }}
    union all
    select
        soc_code,
        soc_title
    from {{ ref('stg_onet__soc_structure') }}
    where soc_level in ('major', 'minor', 'broad', 'detailed')
),

soc_nodes as (
    select
        soc_usage.period_grain,
        soc_usage.period_start,
        soc_usage.soc_level as level,
        soc_usage.soc_code as node_id,
        soc_titles.soc_title as node_title,
        case soc_usage.soc_level
            when 'occupation' then 'detailed'
            when 'detailed' then 'broad'
            when 'broad' then 'minor'
            when 'minor' then 'major'
            else 'total'
        end as parent_level,
        coalesce(soc_usage.parent_soc_code, 'total') as parent_id,
        soc_usage.collaboration_pattern,
        soc_usage.n_conversations,
        soc_usage.n_users,
        soc_usage.last_loaded_at
    from {{ rows_in_changed_units(ref('int_soc_usage'), unit) }} as soc_usage
    left join soc_titles
        on soc_usage.soc_code = soc_titles.soc_code
),

usage_cells as (
    select
        task_usage.period_grain,
        task_usage.period_start,
        'task' as level,
        task_usage.onet_task_id as node_id,
        task_statements.task_statement as node_title,
        'total' as parent_level,
        'total' as parent_id,
        task_usage.n_conversations,
        task_usage.n_users,
        task_usage.last_loaded_at
    from {{ rows_in_changed_units(ref('int_task_usage'), unit) }} as task_usage
    inner join {{ ref('stg_onet__task_statements') }} as task_statements
        on task_usage.onet_task_id = task_statements.onet_task_id

    union all

    select
        period_grain,
        period_start,
        level,
        node_id,
        node_title,
        parent_level,
        parent_id,
        n_conversations,
        n_users,
        last_loaded_at
    from soc_nodes
    where collaboration_pattern = 'all'

    union all

    select
        period_grain,
        period_start,
        'total' as level,
        'total' as node_id,
        'All classified conversations' as node_title,
        cast(null as {{ dbt.type_string() }}) as parent_level,
        cast(null as {{ dbt.type_string() }}) as parent_id,
        n_conversations,
        n_users,
        last_loaded_at
    from totals
    where collaboration_pattern = 'all'
),

collaboration_nodes as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        node_title,
        parent_level,
        parent_id,
        collaboration_pattern,
        n_conversations,
        n_users,
        last_loaded_at
    from soc_nodes
    where collaboration_pattern != 'all'

    union all

    select
        period_grain,
        period_start,
        'total' as level,
        'total' as node_id,
        'All classified conversations' as node_title,
        cast(null as {{ dbt.type_string() }}) as parent_level,
        cast(null as {{ dbt.type_string() }}) as parent_id,
        collaboration_pattern,
        n_conversations,
        n_users,
        last_loaded_at
    from totals
    where collaboration_pattern != 'all'
),

pattern_cells as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        node_title,
        parent_level,
        parent_id,
        collaboration_pattern,
        n_conversations,
        n_users,
        last_loaded_at,
        sum(n_conversations) over (partition by period_grain, period_start, level, node_id)
            as node_n_conversations
    from collaboration_nodes
),

pattern_nodes as (
    select distinct
        period_grain,
        period_start,
        level,
        node_id,
        node_title,
        parent_level,
        parent_id,
        node_n_conversations
    from pattern_cells
),

{#- a node's patterns and its two modes (automation, augmentation: cells of their own, from
    int_mode_usage), each a share of the node's conversations #}

collaboration_cells as (
    select
        period_grain,
        period_start,
        level,
        node_id,
        node_title,
        parent_level,
        parent_id,
        'collaboration' as facet,
        collaboration_pattern as variable,
        n_conversations,
        n_users,
        last_loaded_at,
        node_n_conversations
    from pattern_cells

    union all

    select
        modes.period_grain,
        modes.period_start,
        modes.level,
        modes.node_id,
        nodes.node_title,
        nodes.parent_level,
        nodes.parent_id,
        'collaboration_mode' as facet,
        modes.collaboration_mode as variable,
        modes.n_conversations,
        modes.n_users,
        modes.last_loaded_at,
        nodes.node_n_conversations
    from {{ rows_in_changed_units(ref('int_mode_usage'), unit) }} as modes
    inner join pattern_nodes as nodes
        on
            modes.period_grain = nodes.period_grain
            and modes.period_start = nodes.period_start
            and modes.level = nodes.level
            and modes.node_id = nodes.node_id
)
,

cells as (
    select
        usage_cells.period_grain,
        usage_cells.period_start,
        usage_cells.level,
        usage_cells.node_id,
        usage_cells.node_title,
        usage_cells.parent_level,
        usage_cells.parent_id,
        'usage' as facet,
        'all' as variable,
        usage_cells.n_conversations,
        usage_cells.n_users,
        usage_cells.last_loaded_at,
        100.0 * usage_cells.n_conversations / usage_total.n_conversations as pct,
        'pct_of_classified' as pct_base,
        {% if aei %}
            cast(null as {{ type_double() }}) as ci_low,
            cast(null as {{ type_double() }}) as ci_high
        {% else %}
            {{ wilson_low('usage_cells.n_conversations', 'usage_total.n_conversations') }}
                as ci_low,
            {{ wilson_high('usage_cells.n_conversations', 'usage_total.n_conversations') }}
                as ci_high
        {% endif %}
    from usage_cells
    inner join usage_total
        on
            usage_cells.period_grain = usage_total.period_grain
            and usage_cells.period_start = usage_total.period_start

    union all

    select
        period_grain,
        period_start,
        level,
        node_id,
        node_title,
        parent_level,
        parent_id,
        facet,
        variable,
        n_conversations,
        n_users,
        last_loaded_at,
        100.0 * n_conversations / node_n_conversations as pct,
        'pct_of_node' as pct_base,
        {% if aei %}
            cast(null as {{ type_double() }}) as ci_low,
            cast(null as {{ type_double() }}) as ci_high
        {% else %}
            {{ wilson_low('n_conversations', 'node_n_conversations') }} as ci_low,
            {{ wilson_high('n_conversations', 'node_n_conversations') }} as ci_high
        {% endif %}
    from collaboration_cells
)

select
    period_grain,
    period_start,
    level,
    node_id,
    facet,
    variable,
    node_title,
    parent_level,
    parent_id,
    pct_base,
    n_conversations,
    n_users,
    pct,
    ci_low,
    ci_high,
    last_loaded_at
from cells

{% if is_incremental() %}
    union all
    {{ unit_tombstones(unit, [
        ('level', dbt.type_string()),
        ('node_id', dbt.type_string()),
        ('facet', dbt.type_string()),
        ('variable', dbt.type_string()),
        ('node_title', dbt.type_string()),
        ('parent_level', dbt.type_string()),
        ('parent_id', dbt.type_string()),
        ('pct_base', dbt.type_string()),
        ('n_conversations', type_double()),
        ('n_users', dbt.type_bigint()),
        ('pct', type_double()),
        ('ci_low', type_double()),
        ('ci_high', type_double()),
    ]) }}
{% endif %}
