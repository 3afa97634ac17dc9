{{ config(materialized='ephemeral', schema='staging', contract={'enforced': false}) }}
-- Where the rules put each step-trainer reading the ledger read, and why each withheld one was
-- withheld, worked out from the ledger, the devices the customers' newest records name, each
-- customer's consent as the landing records state it and the accelerometer readings the rules
-- admit: not from the models that apply the rules. reconciliation_step_trainer compares it with
-- where each reading is. One row per ledger row of type reading or withheld. Ephemeral: it names
-- the owners of devices, so it is no relation of the audit zone.
with

ledger as (

    select * from {{ ref('stg_stedi__step_trainer_ledger') }}

),

consent as (

    select * from {{ ref('reconciliation_research_consent') }}

),

owners as (

    select
        serial_number,
        count(*) as owner_count,
        min(email) as owner_email,
        min({{ subject_id('email') }}) as owner_subject_id

    from {{ ref('stg_stedi__customers') }}
    where serial_number is not null
    group by serial_number

),

admitted_accelerometer as (

    select * from {{ ref('reconciliation_admitted_readings') }}

),

curated_owners as (

    select distinct customer_email from admitted_accelerometer

),

instants as (

    select
        serial_number,
        reading_epoch_ms,
        count(*) as distance_count

    from ledger
    where row_type = 'reading'
    group by serial_number, reading_epoch_ms

),

-- Each reading with where the rules put it, each withheld row with why it was withheld (for
-- want of the one owner's research consent, or without cause): one pass over the ledger.
final as (

    select
        ledger.row_type,
        ledger.row_key,
        ledger.serial_number,
        ledger.reading_epoch_ms,
        ledger.reading_at,
        ledger.distance_from_object,
        ledger.landing_record_count,
        owners.owner_subject_id,
        coalesce(admitted.reading_count, 0) as expected_pairs,
        case
            when ledger.row_type = 'withheld'
                then
                    case
                        when
                            owners.owner_count = 1
                            and consent.email is not null
                            and consent.research_consent_epoch_ms is null
                            then 'no_research_consent'
                        else 'withheld_without_cause'
                    end
            when owners.serial_number is null then 'unknown_serial_number'
            when owners.owner_count > 1 then 'ambiguous_serial_number'
            when instants.distance_count > 1 then 'conflicting_reading'
            when consent.research_consent_epoch_ms is null then 'no_research_consent'
            when curated_owners.customer_email is null then 'owner_not_curated'
            when not {{ reading_counts_under_consent(
                'ledger.reading_epoch_ms', 'consent.research_consent_epoch_ms'
            ) }} then 'before_research_consent'
            when admitted.reading_count is not null then 'machine_learning_curated'
            else 'step_trainer_trusted'
        end as reason

    from ledger
    left join owners
        on ledger.serial_number = owners.serial_number
    left join instants
        on
            ledger.serial_number = instants.serial_number
            and ledger.reading_epoch_ms = instants.reading_epoch_ms
    left join consent
        on owners.owner_email = consent.email
    left join curated_owners
        on owners.owner_email = curated_owners.customer_email
    left join admitted_accelerometer as admitted
        on
            owners.owner_email = admitted.customer_email
            and ledger.reading_epoch_ms = admitted.reading_epoch_ms
    where ledger.row_type = 'reading' or {{ is_ledger_row('withheld', 'ledger') }}

)

select * from final
