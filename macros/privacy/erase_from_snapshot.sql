{% macro erase_from_snapshot() -%}
    {%- if execute and model.config.get('unique_key') == 'email' -%}
        {#- The emails the requests name, read as base_stedi__erasure_requests reads them: a
            hook cannot select from an ephemeral model (erased_emails), which has no relation. -#}
        {%- set erased -%}
            email in (
                select nullif(lower(trim({{ json_string(landing_fields(landing_json('line'), ['email']), 'email') }})), '')
                from {{ source('stedi_landing', 'erasure_landing') }}
                where {{ is_landing_line('line') }}
            )
        {%- endset -%}
        {%- set found = run_query("select count(*) from " ~ this ~ " where " ~ erased).columns[0].values()[0] -%}
        {%- if found > 0 -%}
            {%- call statement('erase_from_snapshot') -%}
                delete from {{ this }} where {{ erased }}
            {%- endcall -%}
            {{ log("Erasure: deleted " ~ found ~ " rows of erased customers from " ~ this, info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
