{% macro consent_policy() -%}
    {%- set policy = var('consent_policy', 'as_of_consent') -%}
    {%- set policies = ['as_of_consent', 'any_time'] -%}
    {%- if policy not in policies -%}
        {{ exceptions.raise_compiler_error(
            "consent_policy '" ~ policy ~ "' is not one of: " ~ policies | join(', ')
        ) }}
    {%- endif -%}
    {{ return(policy) }}
{%- endmacro %}

{% macro reading_counts_under_consent(reading_epoch_ms, research_consent_epoch_ms) -%}
    {%- if consent_policy() == 'as_of_consent' -%}
        ({{ research_consent_epoch_ms }} is not null and {{ reading_epoch_ms }} >= {{ research_consent_epoch_ms }})
    {%- else -%}
        ({{ research_consent_epoch_ms }} is not null)
    {%- endif -%}
{%- endmacro %}

{% macro research_consent_epoch_ms(consent_value, registration_value) -%}
    {%- set can_be_consent = [
        is_plausible_instant(consent_value),
        is_plausible_instant(registration_value),
        consent_value ~ ' >= ' ~ registration_value,
    ] -%}
    case when {{ can_be_consent | join(' and ') }} then cast({{ consent_value }} as bigint) end
{%- endmacro %}
