{{ config(materialized='view') }}
-- Who owns a device: one row per serial number that a customer's newest record names, with how
-- many customers name it and the first of their emails, the owner when owner_count is 1. Nobody
-- owns a serial number several customers name (a shared device: nobody can prove whose reading
-- it is). The step-trainer readings' attribution and step_trainer_trusted read ownership here.
select
    serial_number,
    count(*) as owner_count,
    min(email) as owner_email

from {{ ref('stg_stedi__customers') }}
where serial_number is not null
group by serial_number
