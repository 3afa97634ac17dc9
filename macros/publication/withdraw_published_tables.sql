{% macro withdraw_published_tables() -%}
    {%- for table in published_tables() -%}
        {%- set previous_location = adapter.get_glue_table_location(table.published) -%}
        {%- set location = adapter.get_glue_table_location(table.zone) or '' -%}
        {%- do adapter.delete_from_glue_catalog(table.published) -%}
        {%- if previous_location and previous_location.rstrip('/') != location.rstrip('/') -%}
            {%- do adapter.delete_from_s3(previous_location) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set marker = publication_relation() -%}
    {%- do adapter.clean_up_table(marker) -%}
    {%- do adapter.delete_from_glue_catalog(marker) -%}
{%- endmacro %}
