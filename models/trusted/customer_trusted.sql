{{
    config(
        s3_data_dir=zone_location('customer/trusted')
    )
}}
-- Customers who agreed to share their data for research: the only customers any reading of a
-- trusted or curated table may belong to.
with

customers as (

    select * from {{ ref('stg_stedi__customers') }}

),

final as (

    select
        email,
        customer_name,
        phone,
        birth_day,
        birth_date,
        serial_number,
        registered_at,
        last_updated_at,
        research_consented_at,
        research_consent_epoch_ms,
        public_consented_at,
        friends_consented_at

    from customers
    where has_research_consent

)

select * from final
