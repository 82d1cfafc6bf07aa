{#- The CTEs int_soc_usage and int_mode_usage start from (after `changed_units`), per period and
    source node (int_soc_nodes) of the changed units: `conversations`, the rows of
    int_soc_conversations, and `node_figures`, one row per node with the newest label it holds
    and, in conversation mode, its distinct users (the rows of int_soc_users) in all, in each
    pattern and in each collaboration mode (users_all, users_<pattern>, users_<mode>). -#}
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

    {% if usage_source() == 'aei_release' %}
        node_figures as (
            select * from node_loads
        )
    {% else %}
        {%- set modes = collaboration_modes() %}
        node_users as (
            select
                {{ keys | join(', ') }},
                count(*) as users_all,
                {% for pattern in collaboration_patterns() -%}
                    sum(
                        case when {{ has_pattern('pattern_mask', pattern) }} then 1 else 0 end
                    ) as users_{{ pattern }},
                {% endfor -%}
                {% for mode, mode_patterns in modes.items() -%}
                    sum(case when
                        {% for pattern in mode_patterns -%}
                            {{ has_pattern('pattern_mask', pattern) }}
                            {%- if not loop.last %} or {% endif %}
                        {% endfor -%}
                        then 1 else 0 end
                    ) as users_{{ mode }}
                    {%- if not loop.last %},{% endif %}
                {% endfor %}
            from {{ rows_in_changed_units(ref('int_soc_users'), unit) }}
            group by {{ keys | join(', ') }}
        ),

        node_figures as (
            select
                node_loads.*,
                node_users.users_all,
                {% for pattern in collaboration_patterns() -%}
                    node_users.users_{{ pattern }},
                {% endfor -%}
                {% for mode in modes -%}
                    node_users.users_{{ mode }}{% if not loop.last %},{% endif %}
                {% endfor %}
            from node_loads
            inner join node_users
                on
                    {% for key in keys -%}
                        node_loads.{{ key }} = node_users.{{ key }}
                        {%- if not loop.last %} and {% endif %}
                    {% endfor %}
        )
    {% endif %}
{%- endmacro %}
