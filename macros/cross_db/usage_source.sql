{#- Which input task usage is built from; anything else is a configuration error. -#}
{% macro usage_source() -%}
    {%- set source_name = var('usage_source') -%}
    {%- if source_name not in ['conversations', 'aei_release'] -%}
        {{ exceptions.raise_compiler_error(
            "var usage_source must be 'conversations' or 'aei_release', got '" ~ source_name ~ "'") }}
    {%- endif -%}
    {{ return(source_name) }}
{%- endmacro %}
