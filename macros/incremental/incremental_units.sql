{#- Incremental daily runs (README, "Daily runs"). The period models are built incrementally by
    *unit*: (period_grain, period_start) for an aggregate, (period_grain, period_start, user_key)
    for per-user state. A run recomputes every unit touched by a label loaded since the model's
    watermark (the newest `last_loaded_at` it holds) from its inputs, and replaces those units
    whole (strategy `replace_units`); every other unit, closed periods included, stays as it is.

    A unit is recomputed from the current inputs, never patched, so re-labelled, filtered and
    late conversations come out as in a full refresh. The watermark only moves to labels a model
    has actually consumed: a model run before its inputs caught up reprocesses them next time. -#}

{#- Incremental where the engine can delete (DuckDB). Spark keeps `table`: dbt-spark's session
    mode writes parquet tables, with append and insert_overwrite but neither merge nor delete.
    AEI mode (a few thousand published rows) has no daily runs. -#}
{% macro builds_incrementally() -%}
    {{ return(adapter.dispatch('builds_incrementally', 'econ_index')()) }}
{%- endmacro %}

{% macro default__builds_incrementally() -%}
    {{ return(usage_source() == 'conversations') }}
{%- endmacro %}

{% macro spark__builds_incrementally() -%}
    {{ return(false) }}
{%- endmacro %}

{#- The config of a model replaced unit by unit; `unit` lists its unit columns. -#}
{% macro incremental_units_config(unit) -%}
    {%- if builds_incrementally() -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'replace_units',
            'unique_key': unit,
            'on_schema_change': 'fail',
        }) }}
    {%- else -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
{%- endmacro %}

{#- Newest label the model has consumed (1900-01-01 while it holds none). -#}
{% macro units_watermark() -%}
    select coalesce(max(last_loaded_at), cast('1900-01-01' as timestamp)) from {{ this }}
{%- endmacro %}

{#- On an incremental run, the CTE `changed_units,` that opens a model's `with`: the units
    touched by labels loaded after the watermark, at every period grain, classified or not (a
    conversation re-labelled as filtered empties its units), one row per unit. A conversation
    keeps its created_at and user across re-labels, so its new label's units are also its old
    label's. The calling model declares
    `-- depends_on: {{ ref('stg_econ_index__conversation_labels') }}`. -#}
{% macro changed_units_cte(by_user) -%}
    {%- if is_incremental() %}
        changed_units as (
            {{ changed_units(by_user) }}
        ),
    {%- endif %}
{%- endmacro %}

{#- `labels` and `since` (SQL for a timestamp) default to the staging labels and the model's
    watermark; a daily build's data tests pass their own (macros/incremental/daily_tests.sql). -#}
{% macro changed_units(by_user, labels=none, since=none) -%}
    {%- for grain in period_grains() %}
        select distinct
            '{{ grain }}' as period_grain,
            {{ period_start(grain, 'created_at') }} as period_start
            {%- if by_user %},
                user_key
            {%- endif %}
        from {{ labels if labels is not none else ref('stg_econ_index__conversation_labels') }}
        where loaded_at > ({{ since if since is not none else units_watermark() }})
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- A semi-join on the unit columns: `alias` row is in a changed unit (of the CTE
    `changed_units`, or of the from-clause `changed`, aliased changed_units). A row-value IN,
    not a correlated EXISTS: DuckDB runs it as a hash semi-join, ~4x less CPU and memory on the
    per-user state (README, "Memory and scale"); Spark reads it as a multi-column IN too. -#}
{% macro in_changed_units(alias, unit, changed='changed_units') -%}
    (
        {%- for column in unit -%}
            {{ alias }}.{{ column }}
            {%- if not loop.last %}, {% endif %}
        {%- endfor -%}
    ) in (
        select {{ unit | join(', ') }}
        from {{ changed }}
    )
{%- endmacro %}

{#- `relation`, on an incremental run only its rows in the changed units (a subquery). -#}
{% macro rows_in_changed_units(relation, unit) -%}
    {%- if is_incremental() -%}
        (
            select *
            from {{ relation }} as unit_rows
            where {{ in_changed_units('unit_rows', unit) }}
        )
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- Rows with a null last_loaded_at that mark each changed unit, so a unit left with no rows
    (all its conversations filtered) is still emptied. Never written to the table. -#}
{% macro unit_tombstones(unit, columns) -%}
    select
        {% for column in unit -%}
            {{ column }},
        {% endfor -%}
        {% for column, type in columns -%}
            cast(null as {{ type }}) as {{ column }},
        {% endfor -%}
        cast(null as {{ dbt.type_timestamp() }}) as last_loaded_at
    from changed_units
{%- endmacro %}

{#- Strategy `replace_units`: delete every unit present in the new rows, insert the new rows but
    the tombstones. -#}
{% macro get_incremental_replace_units_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unit = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where exists (
        select 1
        from {{ source }} as new_rows
        where
            {% for column in unit -%}
                new_rows.{{ column }} = {{ target }}.{{ column }}
                {%- if not loop.last %} and {% endif %}
            {% endfor %}
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
    where last_loaded_at is not null
{%- endmacro %}
