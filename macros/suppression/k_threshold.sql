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
