{#- The k of k-anonymity, checked: a wrong var stops dbt at compile time (parse included) with a
    message naming the var, the value given and what is allowed, instead of publishing with it. -#}

{#- var(name) as a k of k-anonymity: a whole number >= 2 (k = 1 would publish single people). -#}
{% macro k_threshold(name) -%}
    {%- set k = var(name) -%}
    {%- if k is not number or k is boolean or k != (k | int) or k < 2 -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " = " ~ tojson(k) ~ ": must be a whole number >= 2 "
            ~ "(cells with fewer users or conversations than k are suppressed; k = 1 hides nothing)"
        ) }}
    {%- endif -%}
    {{ return(k | int) }}
{%- endmacro %}

{#- A cell's allocated conversations below k. They are a sum of groups each rounded once to
    type_allocated_count (int_soc_conversations), so a cell whose exact count is k can come out
    a few 1e-12 under it; it meets k when it is within k_conversations_tolerance of it. -#}
{% macro below_k_conversations(count, k) -%}
    coalesce({{ count }}, 0) < {{ k }} - {{ k_conversations_tolerance() }}
{%- endmacro %}

{#- 1e-6: a sum of n groups is at most n x 5e-13 off, so this covers millions of groups. Still
    k-anonymous: a conversation adds at most 1 to a cell, so more than k - 1 needs at least k
    conversations. econ_index.publish.K_CONVERSATIONS_TOLERANCE must be the same (test_publish checks). -#}
{% macro k_conversations_tolerance() -%}
    0.000001
{%- endmacro %}
