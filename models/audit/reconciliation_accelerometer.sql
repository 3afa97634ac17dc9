-- Where each accelerometer landing record is, against where the rules put it. The fates come
-- from the ledger (what each landing file held) and each customer's consent as the customer
-- landing records state it, not from the models that apply the rules; records found elsewhere,
-- or nowhere, are `unexplained`. Counts only: one row per outcome, reason and place.
{%- set quarantine = ref('quarantined_accelerometer_readings') %}
{%- set in_trusted = found_in('accelerometer_trusted', 'trusted.found_count', '1') %}
{%- set in_quarantine = found_in(
    quarantine.identifier, 'quarantined.landing_record_count', 'readings.landing_record_count'
) %}
with

ledger as (

    select * from {{ ref('stg_stedi__accelerometer_ledger') }}

),

consent as (

    select * from {{ ref('reconciliation_research_consent') }}

),

withheld as (

    select
        ledger.landing_record_count,
        (consent.email is not null and consent.research_consent_epoch_ms is null) as lacks_consent

    from ledger
    left join consent
        on ledger.customer_email = consent.email
    where {{ is_ledger_row('withheld', 'ledger') }}

),

readings as (

    select
        ledger.*,
        case
            when consent.email is null then 'unknown_user'
            when consent.research_consent_epoch_ms is null then 'no_research_consent'
            when {{ reading_counts_under_consent(
                'ledger.reading_epoch_ms', 'consent.research_consent_epoch_ms'
            ) }} then 'accelerometer_trusted'
            else 'before_research_consent'
        end as reason

    from ledger
    left join consent
        on ledger.customer_email = consent.email
    where ledger.row_type = 'reading'

),

trusted as (

    select
        customer_email,
        reading_epoch_ms,
        x,
        y,
        z,
        count(*) as found_count

    from {{ ref('accelerometer_trusted') }}
    group by customer_email, reading_epoch_ms, x, y, z

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
    where entity = 'accelerometer'

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
    where entity = 'accelerometer'

    union all

    -- Withheld when read, for want of consent: counted in the ledger, copied nowhere. Should the
    -- customer consent now, or be no customer, the ledger should have read them again.
    select
        'excluded' as expected_outcome,
        case when lacks_consent then 'no_research_consent' else 'withheld_without_cause' end as reason,
        'nowhere' as expected_in,
        case when lacks_consent then 'nowhere' else 'ledger only' end as found_in,
        landing_record_count
    from withheld

    union all

    select
        case readings.reason
            when 'unknown_user' then 'rejected'
            when 'accelerometer_trusted' then 'trusted'
            else 'excluded'
        end as expected_outcome,
        readings.reason,
        case readings.reason
            when 'unknown_user' then '{{ quarantine.identifier }}'
            when 'accelerometer_trusted' then 'accelerometer_trusted'
            else 'nowhere'
        end as expected_in,
        case
            when trusted.found_count is not null then {{ in_trusted }}
            else {{ in_quarantine }}
        end as found_in,
        1 as landing_record_count
    from readings
    left join trusted
        on
            readings.customer_email = trusted.customer_email
            and readings.reading_epoch_ms = trusted.reading_epoch_ms
            and readings.x = trusted.x
            and readings.y = trusted.y
            and readings.z = trusted.z
    left join {{ quarantine }} as quarantined
        on
            quarantined.reject_reason = 'unknown_user'
            and readings.customer_email = quarantined.customer_email
            and readings.reading_epoch_ms = quarantined.reading_epoch_ms
            and readings.x = quarantined.x
            and readings.y = quarantined.y
            and readings.z = quarantined.z

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
