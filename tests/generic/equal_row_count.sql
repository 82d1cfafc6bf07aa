{#- The model has as many rows as compare_model (optionally filtered by compare_where). -#}
{% test equal_row_count(model, compare_model, compare_where=none) %}
    with model_rows as (
        select count(*) as n_rows from {{ model }}
    ),

    compare_rows as (
        select count(*) as n_rows
        from {{ compare_model }}
        {% if compare_where %}where {{ compare_where }}{% endif %}
    )

    select
        model_rows.n_rows as model_n_rows,
        compare_rows.n_rows as compare_n_rows
    from model_rows
    cross join compare_rows
    where model_rows.n_rows <> compare_rows.n_rows
{% endtest %}
