{#- A 64-bit float. dbt.type_float() is `float` on DuckDB, a 32-bit REAL: too coarse for counts
    and shares, hence our own dispatched type: `double` on both engines the tests run (DuckDB,
    Spark); another adapter adds its own `<adapter>__type_double`. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'econ_index')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}
