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

{% macro is_automation(pattern) -%}
    ({{ pattern }} in ('{{ automation_patterns() | join("', '") }}'))
{%- endmacro %}

{% macro is_augmentation(pattern) -%}
    ({{ pattern }} in ('{{ augmentation_patterns() | join("', '") }}'))
{%- endmacro %}

{#- "<prefix><p1><suffix> + <prefix><p2><suffix> + ...": the sum of one column per pattern of
    `patterns`. -#}
{% macro sum_of_pattern_columns(patterns, suffix, prefix='') -%}
    {{ prefix ~ patterns | join(suffix ~ ' + ' ~ prefix) ~ suffix }}
{%- endmacro %}
