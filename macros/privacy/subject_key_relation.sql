{% macro subject_key_relation() -%}
    {{ return(source('stedi_restricted', 'subject_key')) }}
{%- endmacro %}
