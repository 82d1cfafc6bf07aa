{#- The CTEs int_soc_usage and int_mode_usage start from (after `changed_units`), per period and
    source node (int_soc_nodes) of the changed units: `conversations`, the rows of
    int_soc_conversations, and `node_figures`, one row per node with the newest label it holds
    and its distinct users in all, in each pattern and in each collaboration mode (users_all,
    users_<pattern>, users_<mode>: int_soc_node_users; null in AEI mode). -#}
{% macro soc_source_figures_ctes(unit) -%}
    {%- set keys = ['period_grain', 'period_start', 'soc_level', 'soc_code'] %}
    conversations as (
        select *
        from {{ rows_in_changed_units(ref('int_soc_conversations'), unit) }}
    ),

    node_loads as (
        select
            {{ keys | join(', ') }},
            max(last_loaded_at) as last_loaded_at
        from conversations
        group by {{ keys | join(', ') }}
    ),

    node_users as (
        select *
        from {{ rows_in_changed_units(ref('int_soc_node_users'), unit) }}
    ),

    node_figures as (
        select
            node_loads.*,
            {% for column in ['all'] + collaboration_patterns() + (collaboration_modes() | list) -%}
                node_users.users_{{ column }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from node_loads
        inner join node_users
            on
                {% for key in keys -%}
                    node_loads.{{ key }} = node_users.{{ key }}
                    {%- if not loop.last %} and {% endif %}
                {% endfor %}
    )
{%- endmacro %}
