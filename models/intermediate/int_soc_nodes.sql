{#- Every SOC node at every level, with the node whose per-user rows int_soc_users keeps for it
    (source_level, source_code): the node itself, or, when it has a single child, that child's
    source. A single-child node covers exactly its child's occupations, so it has the same users
    and conversations; 678 of the 775 detailed SOC codes hold one O*NET-SOC occupation and 250 of
    the 419 broad groups one detailed code, so int_soc_users writes about a third fewer rows.
    Grain: (soc_level, soc_code). -#}
{%- set levels = soc_levels() %}

with occupations as (
    select
        {% for soc in levels -%}
            {{ soc.code }}{% if not loop.last %},{% endif %}
        {% endfor -%}
    from {{ ref('stg_onet__occupations') }}
),

{% for soc in levels %}
    {%- set child = levels[loop.index0 - 1] if not loop.first else none %}
    {{ soc.level }}_nodes as (
        select
            '{{ soc.level }}' as soc_level,
            occupations.{{ soc.code }} as soc_code,
            {% if soc.parent -%}
                occupations.{{ soc.parent }}
            {%- else -%}
                cast(null as {{ dbt.type_string() }})
            {%- endif %} as parent_soc_code,
            {% if child -%}
                case
                    when count(distinct children.soc_code) = 1 then min(children.source_level)
                    else '{{ soc.level }}'
                end as source_level,
                case
                    when count(distinct children.soc_code) = 1 then min(children.source_code)
                    else occupations.{{ soc.code }}
                end as source_code
            {%- else -%}
                '{{ soc.level }}' as source_level,
                occupations.{{ soc.code }} as source_code
            {%- endif %}
        from occupations
        {% if child -%}
            inner join {{ child.level }}_nodes as children
                on occupations.{{ child.code }} = children.soc_code
        {% endif -%}
        group by
            {% if soc.parent -%}
                occupations.{{ soc.parent }},
            {% endif -%}
            occupations.{{ soc.code }}
    ){% if not loop.last %},{% endif %}
{% endfor %}

{% for soc in levels %}
    select
        soc_level,
        soc_code,
        parent_soc_code,
        source_level,
        source_code
    from {{ soc.level }}_nodes
    {% if not loop.last %}union all{% endif %}
{% endfor %}
