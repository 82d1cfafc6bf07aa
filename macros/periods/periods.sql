{#- Period grains. Every period aggregate is computed at each grain of var('period_grains') and
    at the whole-history grain `all`, whose period_start is the fixed sentinel 1900-01-01 (a
    sentinel rather than null keeps period keys non-null, so grain tests and joins stay simple). -#}

{% macro period_grains() -%}
    {%- set grains = var('period_grains') -%}
    {#- the grains the disclosure equations model (int_disclosure_equations): a grain the
        audit and the secondary suppression did not model would publish unprotected sums -#}
    {%- set known = ['day', 'week', 'month'] -%}
    {%- if grains is string or grains is not iterable or grains is mapping -%}
        {{ exceptions.raise_compiler_error(
            "var period_grains = " ~ tojson(grains) ~ ": must be a list of grains, each one of "
            ~ known | join(', ') ~ ' (e.g. ["week", "month"])'
        ) }}
    {%- endif -%}
    {%- for grain in grains -%}
        {%- if grain not in known -%}
            {{ exceptions.raise_compiler_error(
                "var period_grains: grain " ~ tojson(grain) ~ " is not supported; supported: "
                ~ known | join(', ') ~ " (`all`, the whole history, is always computed; quarter"
                ~ " and year are not modelled by the disclosure equations, int_disclosure_equations)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(grains + ['all']) }}
{%- endmacro %}

{% macro all_periods_start() -%}
    cast('1900-01-01' as date)
{%- endmacro %}

{#- The first day of the period of `grain` holding timestamp `ts`, as a date. -#}
{% macro period_start(grain, ts) -%}
    {%- if grain == 'all' -%}
        {{ all_periods_start() }}
    {%- elif grain == 'week' -%}
        cast({{ iso_week_start(ts) }} as date)
    {%- else -%}
        cast({{ dbt.date_trunc(grain, ts) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- ISO weeks start on Monday: date_trunc('week') does on DuckDB and Spark, the engines the tests
    run (an adapter whose week starts elsewhere, e.g. BigQuery's isoweek, adds its own
    `<adapter>__iso_week_start`). -#}
{% macro iso_week_start(ts) -%}
    {{ return(adapter.dispatch('iso_week_start', 'econ_index')(ts)) }}
{%- endmacro %}

{% macro default__iso_week_start(ts) -%}
    {{ dbt.date_trunc('week', ts) }}
{%- endmacro %}
