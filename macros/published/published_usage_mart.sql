{#- A wide usage mart for BI: the usage cells of `cells` (pub_index_cells) at `levels`,
    nothing else (suppressed rows keep their row with null measures). -#}
{% macro published_usage_mart(cells, levels) -%}
select
    period_grain,
    period_start,
    period_end,
    is_partial_period,
    level,
    node_id,
    node_title,
    parent_id,
    n_conversations,
    n_users,
    pct as pct_of_classified,
    ci_low,
    ci_high,
    is_suppressed,
    suppression_reason
from {{ cells }}
where
    facet = 'usage'
    and level in ('{{ levels | join("', '") }}')
{%- endmacro %}
