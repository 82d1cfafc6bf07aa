{#- The whole disclosure control of the published index, in one call: primary suppression
    (k_users, k_conversations), then complementary suppression over every additive group, then
    every measure of a hidden cell set to null. See the doc block `suppression_algorithm`.

    `relation`: anything selectable with the int_index_cells columns; `allocation`: the task ->
    occupation split (int_task_allocation), whose equations an attacker can also write. Returns
    those columns plus
    is_suppressed and suppression_reason, one row per input cell (hidden cells keep their row). -#}

{% macro suppress_index_cells(relation, allocation=none, hide=none, max_rounds=none) -%}
    with primary_cells as (
        {{ primary_suppression(relation, hide) }}
    ),

    memberships as {{ cte_materialized() }} (
        {{ suppression_groups('primary_cells', allocation) }}
    ),

    decisions as (
        {{ complementary_suppression('primary_cells', 'memberships', max_rounds) }}
    )

    select
        {%- for column in index_cell_keys() + index_cell_attributes() %}
            primary_cells.{{ column }},
        {%- endfor %}
        {%- for column in index_cell_measures() %}
            case when not decisions.is_suppressed then primary_cells.{{ column }} end
                as {{ column }},
        {%- endfor %}
        decisions.is_suppressed,
        coalesce(primary_cells.primary_reason, decisions.complementary_reason)
            as suppression_reason
    from primary_cells
    inner join decisions on primary_cells.cell_id = decisions.cell_id
{%- endmacro %}
