{#- `relation` (rows per occupation, column onet_soc_code) rolled up the SOC hierarchy: one row
    per `keys` and node, at every node that is its own source in int_soc_nodes (every
    occupation, and above it the nodes with two or more children; a single-child node is read
    through its child), columns soc_level and soc_code. `measures` are aggregates over the
    relation's columns as `per_occupation`, e.g. "max(per_occupation.x) as x". One SOC level at
    a time, as plain GROUP BYs, which the engine can spill. -#}
{% macro rolled_up_to_source_nodes(relation, keys, measures) -%}
    {% for soc in soc_levels() %}
        select
            {% for key in keys -%}
                per_occupation.{{ key }},
            {% endfor -%}
            '{{ soc.level }}' as soc_level,
            occupations.{{ soc.code }} as soc_code,
            {{ measures | join(',\n') }}
        from {{ relation }} as per_occupation
        inner join {{ ref('stg_onet__occupations') }} as occupations
            on per_occupation.onet_soc_code = occupations.onet_soc_code
        {% if not loop.first -%}
            where occupations.{{ soc.code }} in (
                select own_nodes.soc_code
                from {{ ref('int_soc_nodes') }} as own_nodes
                where
                    own_nodes.source_level = own_nodes.soc_level
                    and own_nodes.soc_level = '{{ soc.level }}'
            )
        {% endif -%}
        group by
            {% for key in keys -%}
                per_occupation.{{ key }},
            {% endfor -%}
            occupations.{{ soc.code }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}
