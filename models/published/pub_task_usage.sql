{#- Usage per O*NET task row and period (see the macro published_usage_mart). -#}
{{ published_usage_mart(ref('pub_index_cells'), ['task']) }}
