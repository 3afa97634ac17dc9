{#-
    One row per serial number that a customer's newest record names, with how many customers name
    it and the first of their emails: the device's owner when owner_count is 1. Nobody owns a
    serial number that several customers name (a shared device: nobody can prove whose reading it
    is). Both the step-trainer readings' attribution and the incremental step_trainer_trusted
    (which compares it with the owners its rows were taken under) read ownership from here.
-#}
{% macro device_owners() -%}
    select
        serial_number,
        count(*) as owner_count,
        min(email) as owner_email

    from {{ ref('stg_stedi__customers') }}
    where serial_number is not null
    group by serial_number
{%- endmacro %}
