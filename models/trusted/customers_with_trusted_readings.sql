{{ config(materialized='ephemeral', contract={'enforced': false}) }}
-- The customers whose data the step-detection model may be trained on: trusted customers with
-- at least one trusted accelerometer reading. customers_curated publishes them, and
-- step_trainer_trusted keeps the readings of their devices, so that the trusted zone never reads
-- the curated one. Ephemeral: no relation of its own, each reader works it out.
-- Only who and since when: customers_curated takes the rest of customer_trusted's columns.
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
        customers.research_consent_epoch_ms

    from customers
    inner join customers_with_readings
        on customers.email = customers_with_readings.customer_email

)

select * from final
