{% macro building_commands() -%}
    {{ return(['build', 'run', 'seed', 'snapshot', 'test', 'retry']) }}
{%- endmacro %}

{% macro building() -%}
    {{ return(execute and flags.WHICH in building_commands()) }}
{%- endmacro %}
