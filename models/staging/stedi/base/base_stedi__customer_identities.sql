-- Every email a customer landing line names, with the device serial number it names (if any),
-- normalised as the customer records normalise them, before anything is cleaned, rejected or
-- erased. Who could have used a device (erased_serial_numbers: an erased customer's device
-- readings go too, whoever else claims the device) and whether a customer exists at all
-- (erasure_log). Ephemeral (inlined where it is used): a view of it would be a relation that
-- lists erased customers unmasked.
{{ config(materialized='ephemeral') }}
with

source as (

    select {{ landing_fields(landing_json('line'), ['email', 'serialNumber']) }} as json_values

    from {{ source('stedi_landing', 'customer_landing') }}

),

final as (

    select
        nullif(lower(trim({{ json_string('json_values', 'email') }})), '') as email,
        nullif(lower(trim({{ json_string('json_values', 'serialNumber') }})), '') as serial_number

    from source

)

select * from final
where email is not null
