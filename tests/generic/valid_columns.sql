{#- A model's column checks in one scan, where a test per column is a dbt node and a scan each:
    `not_null` lists columns that are never null, `accepted_values` maps a column to the values
    it may hold, `ranges` a column to its `min_value` and/or `max_value` (inclusive). As in
    dbt's accepted_values and accepted_range tests, a null passes those two. A failing row names
    every check it breaks. -#}
{% test valid_columns(model, not_null=[], accepted_values={}, ranges={}) %}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append((column ~ ' is null', column ~ ' is null')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set listed -%}
            {%- for value in values -%}
                {{ "'" ~ value ~ "'" if value is string else value }}
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%}
        {%- endset -%}
        {%- do checks.append((column ~ ' not in (' ~ listed ~ ')', column ~ ' not accepted')) -%}
    {%- endfor -%}
    {%- for column, bounds in ranges.items() -%}
        {%- if bounds.min_value is defined -%}
            {%- do checks.append((column ~ ' < ' ~ bounds.min_value, column ~ ' below range')) -%}
        {%- endif -%}
        {%- if bounds.max_value is defined -%}
            {%- do checks.append((column ~ ' > ' ~ bounds.max_value, column ~ ' above range')) -%}
        {%- endif -%}
    {%- endfor %}
    select
        concat_ws(
            ', '
            {%- for condition, failure in checks %},
            case when {{ condition }} then '{{ failure }}' end
            {%- endfor %}
        ) as failed_checks
    from {{ model }}
    where
        {% for condition, failure in checks -%}
            {{ condition }}
            {%- if not loop.last %} or {% endif %}
        {% endfor %}
{% endtest %}
