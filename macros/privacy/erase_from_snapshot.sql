{#-
    Erasure: a customer named by a request in erasure_landing (erasure/landing/*.json) leaves
    every zone on the next run (docs/privacy.md, "Erasing a customer").

    Whom it erases are two models of models/privacy/: erased_emails (every email a request
    names) and erased_serial_numbers (every device a customer record of such an email names,
    whoever else claims it). The rule is applied where the landing records are read, in the base
    models of staging: a record of an erased customer keeps only its landing file and reads as
    reject_reason 'erased', so nothing after staging ever sees its values.
    The ledgers drop the rows they took before the request (their erasure_rows), the consent
    history drops its versions (erase_from_consent_history), and on Athena the Iceberg history
    that still holds them is expired (purge_erased_history, on-run-end).
-#}

{#-
    Post-hook of every snapshot (dbt_project.yml): the versions of erased customers leave a
    snapshot keyed by email (customer_consent_history). Only when there are any, so that a run
    with nothing to erase commits nothing (no Iceberg snapshot on Athena).
-#}
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
