{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if node is not none and node.resource_type in ('analysis', 'operation', 'sql_operation') -%}
        {{ return(target.schema) }}
    {%- endif -%}
    {%- set zone = (custom_schema_name or '') | trim -%}
    {%- if not zone or zone == 'dbt_test__audit' -%}
        {%- set what = node.unique_id ~ " (" ~ node.original_file_path ~ ")"
            if node is not none else "a schema asked for without a node" -%}
        {{ exceptions.raise_compiler_error(
            what ~ " has no zone: every model, seed, snapshot and stored test lives in a zone schema"
            ~ " (staging, trusted, curated, quarantine, audit, consent, reference). Give its folder a +schema"
            ~ " in dbt_project.yml, or the node config(schema='<zone>'); a schema set only in a"
            ~ " model's properties .yml comes too late, dbt names the schema when it reads the .sql file."
        ) }}
    {%- endif -%}
    {%- set prefix = schema_prefix() -%}
    {{ (prefix ~ '_' if prefix else '') ~ 'stedi_' ~ zone }}
{%- endmacro %}
