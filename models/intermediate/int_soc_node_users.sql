{#- Distinct users per period and SOC node that is its own source in int_soc_nodes: the rows of
    int_soc_users counted once, in all, per pattern (the users with the pattern in their
    pattern_mask) and per collaboration mode (with one of its patterns), for int_soc_usage and
    int_mode_usage, which used to count the same rows each (at one million conversations ~3 M
    all-time rows recounted twice on every daily run). Null in AEI mode (no users). Plain GROUP
    BYs, which the engine can spill. Incremental by period (macros/incremental), `all` from the
    all-time (node, user) rows. Grain: (period_grain, period_start, soc_level, soc_code). -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set unit = ['period_grain', 'period_start'] %}
{%- set counts = ['users_all'] %}
{%- for name in collaboration_patterns() + (collaboration_modes() | list) %}
    {%- do counts.append('users_' ~ name) %}
{%- endfor %}
{{ config(**incremental_units_config(unit)) }}
-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}

with {{ changed_units_cte(by_user=false) }}

node_users as (
    select
        period_grain,
        period_start,
        soc_level,
        soc_code,
        {% if aei -%}
            {% for column in counts -%}
                cast(null as {{ dbt.type_bigint() }}) as {{ column }},
            {% endfor -%}
        {%- else -%}
            count(*) as users_all,
            {% for pattern in collaboration_patterns() -%}
                sum(
                    case when {{ has_pattern('pattern_mask', pattern) }} then 1 else 0 end
                ) as users_{{ pattern }},
            {% endfor -%}
            {% for mode, mode_patterns in collaboration_modes().items() -%}
                sum(
                    case when {{ has_any_pattern('pattern_mask', mode_patterns) }} then 1 else 0 end
                ) as users_{{ mode }},
            {% endfor -%}
        {%- endif %}
        max(last_loaded_at) as last_loaded_at
    from {{ rows_in_changed_units(ref('int_soc_users'), unit) }}
    group by period_grain, period_start, soc_level, soc_code
)

select
    period_grain,
    period_start,
    soc_level,
    soc_code,
    {% for column in counts -%}
        cast({{ column }} as {{ dbt.type_bigint() }}) as {{ column }},
    {% endfor -%}
    last_loaded_at
from node_users

{% if is_incremental() %}
    union all
    {%- set columns = [('soc_level', dbt.type_string()), ('soc_code', dbt.type_string())] %}
    {%- for column in counts %}
        {%- do columns.append((column, dbt.type_bigint())) %}
    {%- endfor %}
    {{ unit_tombstones(unit, columns) }}
{% endif %}
