{% macro research_consent_epoch_ms(consent_value, registration_value) -%}
    {%- set can_be_consent = [
        is_plausible_instant(consent_value),
        is_plausible_instant(registration_value),
        consent_value ~ ' >= ' ~ registration_value,
    ] -%}
    case when {{ can_be_consent | join(' and ') }} then cast({{ consent_value }} as bigint) end
{%- endmacro %}
