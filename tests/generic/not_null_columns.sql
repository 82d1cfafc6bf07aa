{#- None of the given columns is null: one scan of the model for all of them, where a
    `not_null` test per column is a dbt node and a scan each. A failing row names its null
    columns. -#}
{% test not_null_columns(model, columns) %}
    select
        concat_ws(
            ', '
            {%- for column in columns %},
            case when {{ column }} is null then '{{ column }}' end
            {%- endfor %}
        ) as null_columns
    from {{ model }}
    where
        {% for column in columns -%}
            {{ column }} is null
            {%- if not loop.last %} or {% endif %}
        {% endfor %}
{% endtest %}
