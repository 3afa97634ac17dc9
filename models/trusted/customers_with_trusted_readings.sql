{{ config(materialized='ephemeral', contract={'enforced': false}) }}
-- The customers whose data the step-detection model may be trained on: trusted customers with
-- at least one trusted accelerometer reading. customers_curated publishes them, and
-- step_trainer_trusted keeps the readings of their devices, so that the trusted zone never reads
-- the curated one. Ephemeral: no relation of its own, each reader works it out.
with

customers as (

    select * from {{ ref('customer_trusted') }}

),

customers_with_readings as (

    select distinct customer_email from {{ ref('accelerometer_trusted') }}

),

final as (

    select
        customers.email,
        customers.customer_name,
        customers.phone,
        customers.birth_day,
        customers.birth_date,
        customers.serial_number,
        customers.registered_at,
        customers.last_updated_at,
        customers.research_consented_at,
        customers.research_consent_epoch_ms,
        customers.public_consented_at,
        customers.friends_consented_at

    from customers
    inner join customers_with_readings
        on customers.email = customers_with_readings.customer_email

)

select * from final
