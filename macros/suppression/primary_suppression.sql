{#- Primary suppression: the k-anonymity rule, applied to every cell of a long index relation
    (intersections and rollups alike). -#}

{#- The columns of an index-cell relation (see int_index_cells), in published order. -#}
{% macro index_cell_keys() -%}
    {{ return(['period_grain', 'period_start', 'level', 'node_id', 'facet', 'variable']) }}
{%- endmacro %}

{% macro index_cell_attributes() -%}
    {{ return(['node_title', 'parent_level', 'parent_id', 'value_base']) }}
{%- endmacro %}

{#- Every measure is hidden together: a share, its interval or a user count would each bound
    (or, with a published base, give back) the conversation count that was suppressed. -#}
{% macro index_cell_measures() -%}
    {{ return(['n_conversations', 'n_users', 'value', 'ci_low', 'ci_high']) }}
{%- endmacro %}

{#- One string naming a cell: its six key columns, '|'-separated (no key holds a '|'). -#}
{% macro suppression_cell_id(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- set parts = [] -%}
    {%- for key in index_cell_keys() -%}
        {%- if key == 'period_start' -%}
            {%- do parts.append('cast(' ~ prefix ~ key ~ ' as ' ~ dbt.type_string() ~ ')') -%}
        {%- else -%}
            {%- do parts.append(prefix ~ key) -%}
        {%- endif -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- `relation`: anything selectable with the int_index_cells columns. Returns a select of those
    columns plus cell_id, is_primary_suppressed and primary_reason ('primary:users<k' first,
    else 'primary:conversations<k'). A missing count counts as zero, so it is suppressed.
    `hide`: optional relation of cell keys (index_cell_keys(), one row per cell) hidden from the
    start too, with reason 'complementary:audit' unless k already hides them: the cells the
    audit-driven repair chose (stg_econ_index__suppression_repairs). -#}
{% macro primary_suppression(relation, hide=none) -%}
    {%- set k_users = k_threshold('k_users') -%}
    {%- set k_conversations = k_threshold('k_conversations') -%}
    select
        {{ suppression_cell_id('cells') }} as cell_id,
        {%- for column in index_cell_keys() + index_cell_attributes() + index_cell_measures() %}
            cells.{{ column }},
        {%- endfor %}
        (
            coalesce(cells.n_users, 0) < {{ k_users }}
            or coalesce(cells.n_conversations, 0) < {{ k_conversations }}
            {%- if hide %}
            or hidden.{{ index_cell_keys()[0] }} is not null
            {%- endif %}
        ) as is_primary_suppressed,
        case
            when coalesce(cells.n_users, 0) < {{ k_users }}
                then 'primary:users<{{ k_users }}'
            when coalesce(cells.n_conversations, 0) < {{ k_conversations }}
                then 'primary:conversations<{{ k_conversations }}'
            {%- if hide %}
            when hidden.{{ index_cell_keys()[0] }} is not null then 'complementary:audit'
            {%- endif %}
        end as primary_reason
    from {{ relation }} as cells
    {%- if hide %}
    left join {{ hide }} as hidden
        on
        {%- for key in index_cell_keys() %}
            {% if not loop.first %}and {% endif %}cells.{{ key }} = hidden.{{ key }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
