{#- The keyword that makes a CTE an optimisation fence, where the engine has one.

    Complementary suppression chains dozens of window-function CTEs, each read once. DuckDB
    inlines such CTEs, and its optimiser's time grows exponentially with the nesting depth
    (8 rounds: 39 s, 24 rounds: never finished on 40k cells); materialised, each round costs one
    pass (24 rounds: 7 s). Spark has no such keyword and plans the chain linearly. -#}

{% macro cte_materialized() -%}
    {{ return(adapter.dispatch('cte_materialized')()) }}
{%- endmacro %}

{% macro default__cte_materialized() -%}
{%- endmacro %}

{% macro duckdb__cte_materialized() -%}
    materialized
{%- endmacro %}
