{#- Custom schema names are used as they are (staging, marts, ...), not prefixed with the target
    schema, so every environment has the same, readable layout. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
