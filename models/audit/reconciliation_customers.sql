-- Where each customer landing record is, against where the rules put it: rejected, erased, an older
-- version of its customer, or the newest version, excluded without research consent, trusted,
-- or curated when the rules admit at least one of the customer's accelerometer readings. The
-- fates come from the landing records and the readings the rules admit, not from the models that
-- apply the rules; records found elsewhere, or nowhere, are `unexplained`. Counts only: one row
-- per outcome, reason and place.
with

records as (

    select * from {{ ref('base_stedi__customer_records') }}

),

erased as (

    select
        *,
        1 as landing_record_count

    from records
    where reject_reason = 'erased'

),

consent as (

    select * from {{ ref('reconciliation_research_consent') }}

),

with_admitted_readings as (

    select distinct customer_email from {{ ref('reconciliation_admitted_readings') }}

),

trusted as (

    select
        email,
        count(*) as found_count

    from {{ ref('customer_trusted') }}
    group by email

),

curated as (

    select
        email,
        count(*) as found_count

    from {{ ref('customers_curated') }}
    group by email

),

customers as (

    select
        case
            when consent.research_consent_epoch_ms is null then 'no_research_consent'
            when with_admitted_readings.customer_email is not null then 'customers_curated'
            else 'customer_trusted'
        end as reason,
        case
            when trusted.found_count is null and curated.found_count is null then 'nowhere'
            when trusted.found_count = 1 and curated.found_count is null then 'customer_trusted'
            when trusted.found_count = 1 and curated.found_count = 1 then 'customers_curated'
            else 'customer_trusted and customers_curated (count differs)'
        end as found_in

    from consent
    left join with_admitted_readings
        on consent.email = with_admitted_readings.customer_email
    left join trusted
        on consent.email = trusted.email
    left join curated
        on consent.email = curated.email

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
    where entity = 'customer'

    union all

    -- Erased: counted, nothing of them kept (tests/privacy/assert_no_erased_customer_anywhere).
    select
        'erased' as expected_outcome,
        'erasure_request' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        landing_record_count
    from erased

    union all

    -- One record per customer counts, the newest; the older versions collapse into it.
    select
        'collapsed' as expected_outcome,
        'older_version' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        count(*) - count(distinct email) as landing_record_count
    from records
    where reject_reason is null

    union all

    select
        case reason
            when 'no_research_consent' then 'excluded'
            when 'customer_trusted' then 'trusted'
            else 'curated'
        end as expected_outcome,
        reason,
        case when reason = 'no_research_consent' then 'nowhere' else reason end as expected_in,
        found_in,
        1 as landing_record_count
    from customers

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
