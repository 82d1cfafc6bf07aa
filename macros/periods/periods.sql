{#- Period grains. Every period aggregate is computed at each grain of var('period_grains') and
    at the whole-history grain `all`. Inside the intermediate models grain `all` is keyed on the
    internal sentinel all_periods_start() (the incremental per-user models need a key that does
    not move when the data's first day does); int_index_cells dates it by the data's first and
    last day (int_data_coverage), so the sentinel never reaches a published model. -#}

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

{#- The last day of the period of `grain` (day, week or month) that starts on date `start`: an
    inclusive end, as a date. -#}
{% macro period_end(grain, start) -%}
    case {{ grain }}
        when 'day' then {{ start }}
        when 'week' then cast({{ dbt.dateadd('day', 6, start) }} as date)
        when 'month'
            then cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, start)) }} as date)
    end
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
