{#-
    The consent policy: the one place the `consent_policy` var is read.

    Customers without research consent never reach a trusted table (customer_trusted keeps only
    customers with a research-consent instant, and every reading is attributed through it). This
    macro decides which readings of a consenting customer count:
      as_of_consent (default)  readings taken at or after the consent instant
      any_time                 every reading (what STEDI's first Glue jobs did)
-#}
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

{#- A boolean SQL expression: does the reading count under the consent policy? -#}
{% macro reading_counts_under_consent(reading_epoch_ms, research_consent_epoch_ms) -%}
    {%- if consent_policy() == 'as_of_consent' -%}
        ({{ research_consent_epoch_ms }} is not null and {{ reading_epoch_ms }} >= {{ research_consent_epoch_ms }})
    {%- else -%}
        ({{ research_consent_epoch_ms }} is not null)
    {%- endif -%}
{%- endmacro %}

{#-
    The research-consent instant a customer record gives, or null: no consent. On this field the
    safe side wins, so a value counts as consent only when it can be one: a JSON number (read by
    json_number; "", "0", null, true read as null), a plausible instant (macros/cleaning/
    plausible_values.sql: not 0, not seconds, not in the future), and no earlier than the
    customer's registration, itself a plausible instant (a consent before the customer existed,
    or with no registration to compare with, is an exporter's placeholder, not a consent).
-#}
{% macro research_consent_epoch_ms(consent_value, registration_value) -%}
    {%- set can_be_consent = [
        is_plausible_instant(consent_value),
        is_plausible_instant(registration_value),
        consent_value ~ ' >= ' ~ registration_value,
    ] -%}
    case when {{ can_be_consent | join(' and ') }} then cast({{ consent_value }} as bigint) end
{%- endmacro %}
