{#- A 64-bit float. dbt.type_float() is `float` on DuckDB, a 32-bit REAL: too coarse for counts
    and shares, hence our own dispatched type: `double` on both engines the tests run (DuckDB,
    Spark); another adapter adds its own `<adapter>__type_double`. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'econ_index')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{#- Allocated (fractional) conversation counts while they are summed: a fixed-point decimal, whose
    sums are exact and so the same in any order. Summed as doubles, a node's 15 conversations
    can come out as 14.999999999999998 in one build (thread or incremental order) and 15.0 in
    another, and a k-threshold decision flips. Same spelling on DuckDB and Spark. -#}
{% macro type_allocated_count() -%}
    {{ return(adapter.dispatch('type_allocated_count', 'econ_index')()) }}
{%- endmacro %}

{% macro default__type_allocated_count() -%}
    decimal(38, 12)
{%- endmacro %}
