{#- Portable pieces of int_disclosure_fingerprint and the stale-repair check: the same value and
    the same failure on DuckDB and Spark (repairs planned on DuckDB are copied to Spark). -#}

{#- The first 7 hex digits of a hex string as a bigint (28 bits: sums of millions stay exact). -#}
{% macro hex7_to_bigint(hex) -%}
    {{ return(adapter.dispatch('hex7_to_bigint', 'econ_index')(hex)) }}
{%- endmacro %}

{% macro default__hex7_to_bigint(hex) -%}
    cast(conv(substr({{ hex }}, 1, 7), 16, 10) as bigint)
{%- endmacro %}

{% macro duckdb__hex7_to_bigint(hex) -%}
    cast(('0x' || substr({{ hex }}, 1, 7)) as bigint)
{%- endmacro %}

{#- An expression that fails the query with `message` (a SQL string literal) when evaluated. -#}
{% macro raise_query_error(message) -%}
    {{ return(adapter.dispatch('raise_query_error', 'econ_index')(message)) }}
{%- endmacro %}

{% macro default__raise_query_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}

{% macro duckdb__raise_query_error(message) -%}
    error({{ message }})
{%- endmacro %}
