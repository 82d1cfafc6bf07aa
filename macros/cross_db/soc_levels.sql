{#- The SOC hierarchy as (level, code column, parent column) over stg_onet__occupations, from the
    O*NET-SOC occupation up to the major group. Parents come from the occupation's own resolved
    codes (onet.py attaches O*NET 2019 codes to the 2018 structure), never from text. -#}
{% macro soc_levels() -%}
    {{ return([
        {'level': 'occupation', 'code': 'onet_soc_code', 'parent': 'detailed_soc_code'},
        {'level': 'detailed', 'code': 'detailed_soc_code', 'parent': 'broad_soc_code'},
        {'level': 'broad', 'code': 'broad_soc_code', 'parent': 'minor_soc_code'},
        {'level': 'minor', 'code': 'minor_soc_code', 'parent': 'major_soc_code'},
        {'level': 'major', 'code': 'major_soc_code', 'parent': none},
    ]) }}
{%- endmacro %}
