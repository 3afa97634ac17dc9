{% macro release_build_lock(force=false) -%}
    {%- if execute and target.type == 'athena' and (force or building()) -%}
        {%- set lock = build_lock_relation() -%}
        {%- set location = adapter.get_glue_table_location(lock) -%}
        {%- set mine = zone_location('_build_lock/' ~ invocation_id) -%}
        {%- if location is not none and (force or location.rstrip('/') == mine) -%}
            {%- do adapter.delete_from_glue_catalog(lock) -%}
            {%- do adapter.delete_from_s3(location) -%}
            {%- if force -%}
                {{ log("Removed the build lock " ~ lock.schema ~ ".build_lock (" ~ location ~ ")", info=true) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
