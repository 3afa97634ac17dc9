-- Where each step-trainer landing record is, against where the rules put it. The fates come from
-- the ledger and reconciliation_step_trainer_expected, not from the models that apply the rules;
-- records found elsewhere, or nowhere, are `unexplained`. Counts only: one row per outcome, reason
-- and place.
{%- set quarantine = ref('quarantined_step_trainer_readings') %}
{%- set unattributed = "('unknown_serial_number', 'ambiguous_serial_number', 'conflicting_reading')" %}
{%- set in_trusted = found_in('step_trainer_trusted', 'trusted.found_count', '1') %}
{%- set in_quarantine = found_in(
    quarantine.identifier, 'quarantined.landing_record_count', 'readings.landing_record_count'
) %}
with

-- Where the rules put each reading the ledger read, and why each withheld one was withheld.
expected as (

    select * from {{ ref('reconciliation_step_trainer_expected') }}

),

withheld as (

    select
        landing_record_count,
        reason = 'no_research_consent' as lacks_consent

    from expected
    where row_type = 'withheld'

),

readings as (

    select * from expected
    where row_type = 'reading'

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

-- Each group of records with where the rules put it (expected_in) and where it is (found_in).
placed as (

    -- Rejected: in the quarantine, as many of each reason as were rejected
    -- (reconciliation_rejected_records).
    select
        'rejected' as expected_outcome,
        reason,
        expected_in,
        found_in,
        landing_record_count
    from {{ ref('reconciliation_rejected_records') }}
    where entity = 'step_trainer'

    union all

    -- Erased, retired, collapsed, and what the ledger does not account for
    -- (reconciliation_ledger_records).
    select
        expected_outcome,
        reason,
        expected_in,
        found_in,
        landing_record_count
    from {{ ref('reconciliation_ledger_records') }}
    where entity = 'step_trainer'

    union all

    -- Withheld when read, for want of consent: counted in the ledger, copied nowhere. Should the
    -- owner consent now, or be no customer, the ledger should have read them again.
    select
        'excluded' as expected_outcome,
        case when lacks_consent then 'no_research_consent' else 'withheld_without_cause' end as reason,
        'nowhere' as expected_in,
        case when lacks_consent then 'nowhere' else 'ledger only' end as found_in,
        landing_record_count
    from withheld

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

-- Records found where the rules put them have their expected outcome; any others are unexplained.
judged as (

    select
        *,
        case when found_in = expected_in then expected_outcome else 'unexplained' end as outcome

    from placed

),

final as (

    select
        outcome,
        reason,
        found_in,
        cast(sum(landing_record_count) as bigint) as landing_record_count
    from judged
    group by outcome, reason, found_in

)

select * from final
