-- Where each step-trainer landing record is, against where the rules put it. The fates come from
-- the ledger, the devices the customers' newest records name, each customer's consent as the
-- landing records state it, and the accelerometer readings the rules admit, not from the models
-- that apply the rules; records found elsewhere, or nowhere, are `unexplained`. Counts only.
{%- set quarantine = ref('quarantined_step_trainer_readings') %}
{%- set unattributed = "('unknown_serial_number', 'ambiguous_serial_number', 'conflicting_reading')" %}
{%- set in_trusted = found_in('step_trainer_trusted', 'trusted.found_count', '1') %}
{%- set in_quarantine = found_in(
    quarantine.identifier, 'quarantined.landing_record_count', 'readings.landing_record_count'
) %}
with

ledger as (

    select * from {{ ref('stg_stedi__step_trainer_ledger') }}

),

rejected as (

    select * from ledger
    where {{ is_ledger_row('rejected') }}

),

erased as (

    select * from ledger
    where {{ is_ledger_row('erased') }}

),

retired as (

    select * from ledger
    where {{ is_ledger_row('retired') }}

),

consent as (

    {{ independent_research_consent() }}

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

withheld as (

    select
        ledger.landing_record_count,
        (
            owners.owner_count = 1 and consent.email is not null and consent.research_consent_epoch_ms is null
        ) as lacks_consent

    from ledger
    left join owners
        on ledger.serial_number = owners.serial_number
    left join consent
        on owners.owner_email = consent.email
    where {{ is_ledger_row('withheld', 'ledger') }}

),

readings as (

    select
        ledger.*,
        owners.owner_subject_id,
        coalesce(admitted.reading_count, 0) as expected_pairs,
        case
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
    where ledger.row_type = 'reading'

),

trusted as (

    select
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        count(*) as found_count

    from {{ ref('step_trainer_trusted') }}
    group by serial_number, reading_epoch_ms, distance_from_object

),

pairs as (

    select
        subject_id,
        reading_at,
        distance_from_object,
        count(*) as found_count

    from {{ ref('machine_learning_curated') }}
    group by subject_id, reading_at, distance_from_object

),

placed as (

    {{ rejected_fates(
        'rejected', quarantine,
        'serial_number is not null and reading_epoch_ms is not null and distance_from_object is not null'
    ) }}

    union all

    {{ erased_fates('erased') }}

    union all

    {{ retired_fates('retired') }}

    union all

    {{ withheld_and_collapsed_fates('withheld', 'readings') }}

    union all

    select
        case
            when readings.reason in {{ unattributed }} then 'rejected'
            when readings.reason = 'step_trainer_trusted' then 'trusted'
            when readings.reason = 'machine_learning_curated' then 'curated'
            else 'excluded'
        end as expected_outcome,
        readings.reason,
        case
            when readings.reason in {{ unattributed }} then '{{ quarantine.identifier }}'
            when readings.reason in ('step_trainer_trusted', 'machine_learning_curated') then readings.reason
            else 'nowhere'
        end as expected_in,
        case
            when trusted.found_count is null then {{ in_quarantine }}
            when pairs.found_count is null then {{ in_trusted }}
            when trusted.found_count = 1 and pairs.found_count = readings.expected_pairs
                then 'machine_learning_curated'
            else 'machine_learning_curated (count differs)'
        end as found_in,
        1 as landing_record_count
    from readings
    left join trusted
        on
            readings.serial_number = trusted.serial_number
            and readings.reading_epoch_ms = trusted.reading_epoch_ms
            and readings.distance_from_object = trusted.distance_from_object
    left join pairs
        on
            readings.owner_subject_id = pairs.subject_id
            and readings.reading_at = pairs.reading_at
            and readings.distance_from_object = pairs.distance_from_object
    left join {{ quarantine }} as quarantined
        on
            readings.reason = quarantined.reject_reason
            and readings.serial_number = quarantined.serial_number
            and readings.reading_epoch_ms = quarantined.reading_epoch_ms
            and readings.distance_from_object = quarantined.distance_from_object

),

final as (

    {{ reconciled('placed') }}

    union all

    {{ unaccounted_ledger_records('ledger') }}

)

select * from final
