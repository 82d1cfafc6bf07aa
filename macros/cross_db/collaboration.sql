{#- The AEI's two collaboration modes: automation (the model does the task: directive, feedback
    loop) and augmentation (the person works with the model: task iteration, validation,
    learning). `none` belongs to neither and is left out of the five-pattern base. -#}

{% macro automation_patterns() -%}
    {{ return(['directive', 'feedback_loop']) }}
{%- endmacro %}

{% macro augmentation_patterns() -%}
    {{ return(['task_iteration', 'validation', 'learning']) }}
{%- endmacro %}

{% macro collaboration_patterns() -%}
    {{ return(automation_patterns() + augmentation_patterns() + ['none']) }}
{%- endmacro %}

{#- Each mode with its patterns. -#}
{% macro collaboration_modes() -%}
    {{ return({'automation': automation_patterns(), 'augmentation': augmentation_patterns()}) }}
{%- endmacro %}

{% macro is_in_patterns(pattern, patterns) -%}
    ({{ pattern }} in ('{{ patterns | join("', '") }}'))
{%- endmacro %}

{% macro is_automation(pattern) -%}
    {{ is_in_patterns(pattern, automation_patterns()) }}
{%- endmacro %}

{% macro is_augmentation(pattern) -%}
    {{ is_in_patterns(pattern, augmentation_patterns()) }}
{%- endmacro %}

{#- "<prefix><p1><suffix> + <prefix><p2><suffix> + ...": the sum of one column per pattern of
    `patterns`. -#}
{% macro sum_of_pattern_columns(patterns, suffix, prefix='') -%}
    {{ prefix ~ patterns | join(suffix ~ ' + ' ~ prefix) ~ suffix }}
{%- endmacro %}

{#- Which patterns a user has at a node, as one integer (int_soc_users): pattern i of
    collaboration_patterns() is bit 2^i. `pattern_bit(column)` is a pattern column's bit,
    combined over rows with bit_or (DuckDB and Spark spell it alike); `has_pattern(mask,
    pattern)` tests one bit with integer arithmetic alone. -#}
{% macro pattern_bit(pattern) -%}
    case {{ pattern }}
        {% for name in collaboration_patterns() -%}
            when '{{ name }}' then {{ 2 ** loop.index0 }}
        {% endfor -%}
        else 0
    end
{%- endmacro %}

{% macro has_pattern(mask, pattern) -%}
    {%- set bit = 2 ** collaboration_patterns().index(pattern) -%}
    ({{ mask }} % {{ 2 * bit }} >= {{ bit }})
{%- endmacro %}
