{#- Automation vs augmentation on the five-pattern base, with Wilson 95% intervals (null in AEI
    mode, whose inputs are published percentages, not counts). The interval treats
    conversations as independent draws; conversations of one user are not. -#}
{%- set aei = usage_source() == 'aei_release' %}
{%- set automation = is_automation('collaboration_pattern') %}
{%- set augmentation = is_augmentation('collaboration_pattern') %}

with modes as (
    select
        period_grain,
        period_start,
        sum(case when {{ automation }} then n_conversations else 0 end)
            as automation_n_conversations,
        sum(case when {{ augmentation }} then n_conversations else 0 end)
            as augmentation_n_conversations,
        sum(case when collaboration_pattern != 'none' then n_conversations else 0 end)
            as five_pattern_n_conversations
    from {{ ref('int_period_totals') }}
    where collaboration_pattern != 'all'
    group by period_grain, period_start
)

select
    period_grain,
    period_start,
    100.0 * automation_n_conversations / nullif(five_pattern_n_conversations, 0)
        as automation_pct_of_five_pattern_base,
    100.0 * augmentation_n_conversations / nullif(five_pattern_n_conversations, 0)
        as augmentation_pct_of_five_pattern_base,
    automation_n_conversations,
    augmentation_n_conversations,
    five_pattern_n_conversations,
    {% for mode in ['automation', 'augmentation'] %}
        {%- set x = mode ~ '_n_conversations' %}
        {%- set n = 'five_pattern_n_conversations' %}
        {% if aei %}
            cast(null as {{ type_double() }}) as {{ mode }}_ci_low,
            cast(null as {{ type_double() }}) as {{ mode }}_ci_high
        {%- else %}
            {{ wilson_low(x, n) }} as {{ mode }}_ci_low,
            {{ wilson_high(x, n) }} as {{ mode }}_ci_high
        {%- endif %}
        {%- if not loop.last %},{% endif %}
    {% endfor %}
from modes
