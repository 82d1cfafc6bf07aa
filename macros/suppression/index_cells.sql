{#- The columns of an index-cell relation (see int_index_cells), in published order. -#}
{% macro index_cell_keys() -%}
    {{ return(['period_grain', 'period_start', 'level', 'node_id', 'facet', 'variable']) }}
{%- endmacro %}

{% macro index_cell_attributes() -%}
    {{ return(['period_end', 'is_partial_period', 'node_title', 'parent_level', 'parent_id',
               'pct_base']) }}
{%- endmacro %}

{#- Every measure is hidden together: a share, its interval or a user count would each bound
    (or, with a published base, give back) the conversation count that was suppressed. -#}
{% macro index_cell_measures() -%}
    {{ return(['n_conversations', 'n_users', 'pct', 'ci_low', 'ci_high']) }}
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

{#- Period grains the disclosure equations model, and how they nest: parent grain -> (the finer
    grain whose periods partition it, datepart, length). Weeks do not nest in months. -#}
{% macro disclosure_nested_grains() -%}
    {{ return({'week': ('day', 'day', 7), 'month': ('day', 'month', 1)}) }}
{%- endmacro %}

{#- What hiding a cell costs the reader, for the secondary suppression's pick order (and the
    repair's), in three tiers that each outweigh everything below them:
    1. a cell of a complete period costs 100 more than any cell of a partial one (a period the
       data covers only in part, at its edges), so a partial edge period gives up its cells
       before a complete period gives up any;
    2. the headline cells of the total and the SOC major groups cost 20 per step: augmentation
       1, automation 2, usage 3, so they are hidden last, usage and the automation share
       (automation / usage) the very last;
    3. within a tier, one step coarser in time (day, week, month, all) or up the hierarchy
       (task ... total) costs one more, and a pattern costs 0, augmentation 1, automation and
       usage 2: the finest, least-read cells go first, a hidden pattern takes another pattern
       with it before a mode, and a hidden `none` (usage = automation + augmentation + none)
       takes augmentation rather than automation. -#}
{% macro disclosure_hide_cost(grain, level, facet, variable, is_partial) -%}
    case when {{ is_partial }} then 0 else 100 end
    + case
        when not {{ disclosure_is_headline(level, facet) }} then 0
        when {{ facet }} = 'usage' then 60
        when {{ variable }} = 'automation' then 40
        else 20
    end
    + case {{ grain }} when 'day' then 0 when 'week' then 1 when 'month' then 2 else 3 end
    + case {{ level }}
        when 'task' then 0
        when 'occupation' then 1
        when 'detailed' then 2
        when 'broad' then 3
        when 'minor' then 4
        when 'major' then 5
        else 6
    end
    + case
        when {{ facet }} = 'collaboration' then 0
        when {{ facet }} = 'collaboration_mode' and {{ variable }} = 'augmentation' then 1
        else 2
    end
{%- endmacro %}

{#- The headline cells (issue #15), the only statement of which they are: usage and the
    automation / augmentation split of the total and the SOC major groups, every period. They
    cost most to hide (disclosure_hide_cost) and are published again when nothing needs them
    (econ_index.span_repair.release, read from int_disclosure_cells.is_headline). -#}
{% macro disclosure_is_headline(level, facet) -%}
    ({{ level }} in ('total', 'major') and {{ facet }} in ('usage', 'collaboration_mode'))
{%- endmacro %}
