-- The accelerometer readings the rules admit, per customer and instant, for the customer and
-- step-trainer reconciliations (a customer with none is not curated; a step-trainer reading is
-- paired with each at its instant). Re-derived from the readings the ledger holds and every
-- customer's consent as the customer landing records state it, never from the trusted models;
-- a table, so the two reconciliations read the accelerometer readings once between them.
-- It holds emails, so it lives in the staging zone beside the ledgers, not in the audit zone.
{{ config(schema='staging') }}
with

readings as (

    select * from {{ ref('stg_stedi__accelerometer_readings') }}

),

consent as (

    select * from {{ ref('reconciliation_research_consent') }}

),

final as (

    select
        readings.customer_email,
        readings.reading_epoch_ms,
        count(*) as reading_count

    from readings
    inner join consent
        on readings.customer_email = consent.email
    where {{ reading_counts_under_consent('readings.reading_epoch_ms', 'consent.research_consent_epoch_ms') }}
    group by readings.customer_email, readings.reading_epoch_ms

)

select * from final
