{#- dbt's default safe_cast is a plain cast; DuckDB and Spark have try_cast, which yields null
    instead of failing the whole model on one bad value. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
