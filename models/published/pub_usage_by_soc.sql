{#- Usage per SOC node and period, one row per node at each SOC level (see the macro
    published_usage_mart). -#}
{{ published_usage_mart(ref('pub_index_cells'), soc_levels() | map(attribute='level') | list) }}
