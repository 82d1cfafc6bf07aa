{#- The data tests of a daily run (README, "Daily runs"). A model tagged `period_units` has a
    grain that starts (period_grain, period_start) and a day changes only the periods its
    labels fall in (its incremental units, or a table rebuilt from them); one tagged
    `period_user_units` (the per-user state) has a grain that starts (period_grain,
    period_start, user_key) and a day changes only its users' units in those periods and all
    time. When the build sets ECON_INDEX_TESTS_CHANGED_SINCE to the warehouse's watermark
    before it ran (`econ-index build --daily` does), each of their data tests reads only the
    units of the labels loaded since (and, per period, all time); the other units were tested
    when they were written. Unset (a full build, plain dbt) every row is tested. Read at
    execution only: a dbt var would make dbt parse the whole project again whenever it
    changes, i.e. every day. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node -%}
    {%- set by_user = tested and 'period_user_units' in tested.tags -%}
    {%- set by_period = by_user or (tested and 'period_units' in tested.tags) -%}
    {%- set since = daily_tests_since() if by_period else none -%}
    {%- set unit = ['period_grain', 'period_start'] + (['user_key'] if by_user else []) -%}
    {%- if since is none and not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set changed -%}
        ({{ changed_units(by_user, source('econ_index', 'conversation_labels'), since) }}) as changed_units
    {%- endset -%}
    {%- set filtered -%}
        (
            select *
            from {{ relation }} as tested_rows
            where
                {% if where -%}
                    ({{ where }})
                    {%- if since is not none %} and {% endif %}
                {%- endif %}
                {%- if since is not none -%}
                    (
                        {%- if not by_user %}
                        tested_rows.period_grain = 'all' or
                        {%- endif %}
                        {{ in_changed_units('tested_rows', unit, changed) }}
                    )
                {%- endif %}
        ) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}

{#- The timestamp in ECON_INDEX_TESTS_CHANGED_SINCE as SQL, or none (unset, or parsing). -#}
{% macro daily_tests_since() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set value = env_var('ECON_INDEX_TESTS_CHANGED_SINCE', '') -%}
    {%- if not value -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.fromisoformat(value) -%}
    {{ return("cast('" ~ parsed.isoformat(sep=' ') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}
