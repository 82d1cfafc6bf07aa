{#- Wilson score interval for a share x / n, in percent (0-100). z = 1.96 gives 95%.
    Null when n is not positive. Counts may be fractional (equal-split allocation); the
    variance term is clamped at 0 because x can exceed n by a rounding hair. -#}

{% macro _wilson_bound(x, n, sign, z) -%}
    case
        when {{ n }} > 0 then 100.0 * (
            ({{ x }}) / ({{ n }}) + {{ z * z }} / (2.0 * ({{ n }}))
            {{ sign }} {{ z }} * sqrt(
                case
                    when ({{ x }}) / ({{ n }}) * (1.0 - ({{ x }}) / ({{ n }})) > 0
                        then ({{ x }}) / ({{ n }}) * (1.0 - ({{ x }}) / ({{ n }})) / ({{ n }})
                    else 0.0
                end
                + {{ z * z }} / (4.0 * ({{ n }}) * ({{ n }}))
            )
        ) / (1.0 + {{ z * z }} / ({{ n }}))
    end
{%- endmacro %}

{% macro wilson_low(x, n, z=1.96) -%}
    {{ _wilson_bound(x, n, '-', z) }}
{%- endmacro %}

{% macro wilson_high(x, n, z=1.96) -%}
    {{ _wilson_bound(x, n, '+', z) }}
{%- endmacro %}
