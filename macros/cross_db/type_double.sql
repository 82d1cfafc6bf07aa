{#- A 64-bit float. dbt.type_float() is `float` on DuckDB, a 32-bit REAL: too coarse for counts
    and shares, hence our own dispatched type. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'econ_index')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}
