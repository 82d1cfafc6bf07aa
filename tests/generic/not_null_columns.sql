{#- None of the given columns is null, in one scan: valid_columns with `not_null` alone (the
    suppression chain's models, models/intermediate/disclosure and models/published, still
    declare this form). -#}
{% test not_null_columns(model, columns) %}
    {{ test_valid_columns(model, not_null=columns) }}
{% endtest %}
