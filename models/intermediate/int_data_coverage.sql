{#- The dates the data covers: the first and last day of a classified conversation over the
    whole fact table (in AEI mode, the release's collection window, dbt var
    aei_release_period). A calendar period these do not cover entirely is partial
    (int_index_cells.is_partial_period), and grain `all` is dated by them. One row. -#}
{% if usage_source() == 'aei_release' %}
    {%- set window = var('aei_release_period') %}
    select
        cast('{{ window[0] }}' as date) as first_date,
        cast('{{ window[1] }}' as date) as last_date
{% else %}
    select
        min(period_day) as first_date,
        max(period_day) as last_date
    from {{ ref('fct_conversation_tasks') }}
{% endif %}
