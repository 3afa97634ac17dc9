{% macro reading_counts_under_consent(reading_epoch_ms, research_consent_epoch_ms) -%}
    {%- if consent_policy() == 'as_of_consent' -%}
        ({{ research_consent_epoch_ms }} is not null and {{ reading_epoch_ms }} >= {{ research_consent_epoch_ms }})
    {%- else -%}
        ({{ research_consent_epoch_ms }} is not null)
    {%- endif -%}
{%- endmacro %}
