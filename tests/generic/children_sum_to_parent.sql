{#- Reconciliation of a hierarchy stored in one long table: within each group (group_by), the
    children of a node (rows whose parent columns point at it) add up to the node's own value,
    within a relative tolerance, and every child's parent exists. child_levels limits the check
    to some child levels (e.g. leave out levels that are not additive). -#}
{% test children_sum_to_parent(
    model, column_name, group_by, level_column, node_column, parent_level_column,
    parent_column, child_levels=none, tolerance=0.000001
) %}
    with cells as (
        select
            {% for column in group_by %}{{ column }},{% endfor %}
            {{ level_column }} as level_value,
            {{ node_column }} as node_value,
            {{ parent_level_column }} as parent_level_value,
            {{ parent_column }} as parent_value,
            {{ column_name }} as measure
        from {{ model }}
    ),

    children as (
        select
            {% for column in group_by %}{{ column }},{% endfor %}
            parent_level_value,
            parent_value,
            sum(measure) as children_measure
        from cells
        where
            parent_value is not null
            {% if child_levels is not none %}
                and level_value in ('{{ child_levels | join("', '") }}')
            {% endif %}
        group by
            {% for column in group_by %}{{ column }},{% endfor %}
            parent_level_value,
            parent_value
    )

    select
        {% for column in group_by %}children.{{ column }},{% endfor %}
        children.parent_level_value,
        children.parent_value,
        children.children_measure,
        parents.measure as parent_measure
    from children
    left join cells as parents
        on
            {% for column in group_by %}children.{{ column }} = parents.{{ column }} and {% endfor %}
            children.parent_level_value = parents.level_value
            and children.parent_value = parents.node_value
    where
        parents.measure is null
        or abs(children.children_measure - parents.measure)
        > {{ tolerance }} * (1 + abs(parents.measure))
{% endtest %}
