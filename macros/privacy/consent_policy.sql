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
