{#- The data tests of a daily run (README, "Daily runs"). A model tagged `period_units` has a
    grain that starts (period_grain, period_start) and a day changes only the periods its
    labels fall in (its incremental units, or a table rebuilt from them): when the build sets
    ECON_INDEX_TESTS_CHANGED_SINCE to the warehouse's watermark before it ran (`econ-index
    build --daily` does), each of its data tests reads only the periods of the labels loaded
    since, and all time; the other periods were tested when they were written. Unset (a full
    build, plain dbt) every row is tested. Read at execution only: a dbt var would make dbt
    parse the whole project again whenever it changes, i.e. every day. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node -%}
    {%- set since = daily_tests_since() if tested and 'period_units' in tested.tags else none -%}
    {%- if since is none and not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set changed -%}
        ({{ changed_units(false, source('econ_index', 'conversation_labels'), since) }}) as changed_units
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
                        tested_rows.period_grain = 'all'
                        or {{ in_changed_units('tested_rows', ['period_grain', 'period_start'], changed) }}
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
