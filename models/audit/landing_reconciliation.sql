-- Where every landing record went, counted per entity, outcome and reason, so that
-- landing records = rejected + collapsed + excluded + trusted, entity by entity.
-- Counts only: no row of a customer who did not consent is copied anywhere.
with

customer_records as (

    select * from {{ ref('base_stedi__customer_records') }}

),

customers as (

    select * from {{ ref('stg_stedi__customers') }}

),

trusted_customers as (

    select * from {{ ref('customer_trusted') }}

),

accelerometer_ledger as (

    select * from {{ ref('stg_stedi__accelerometer_ledger') }}

),

accelerometer_readings as (

    select * from {{ ref('int_accelerometer_readings_attributed') }}

),

trusted_accelerometer as (

    select * from {{ ref('accelerometer_trusted') }}

),

step_trainer_ledger as (

    select * from {{ ref('stg_stedi__step_trainer_ledger') }}

),

step_trainer_readings as (

    select * from {{ ref('int_step_trainer_readings_attributed') }}

),

curated_customers as (

    select * from {{ ref('customers_curated') }}

),

trusted_step_trainer as (

    select * from {{ ref('step_trainer_trusted') }}

),

-- customers: a record is rejected, an older version of a customer, or the customer's newest
-- version, which is trusted or excluded for want of research consent.
customer_versions as (

    select
        count(*) as usable_record_count,
        count(distinct email) as customer_count

    from customer_records
    where reject_reason is null

),

customer_fates as (

    select
        'rejected' as outcome,
        reject_reason as reason,
        1 as landing_record_count
    from customer_records
    where reject_reason is not null

    union all

    select
        'collapsed' as outcome,
        'older_version' as reason,
        usable_record_count - customer_count as landing_record_count
    from customer_versions

    union all

    select
        case when trusted_customers.email is null then 'excluded' else 'trusted' end as outcome,
        case
            when trusted_customers.email is null then 'no_research_consent' else 'customer_trusted'
        end as reason,
        1 as landing_record_count
    from customers
    left join trusted_customers
        on customers.email = trusted_customers.email

),

-- readings: a record is rejected, or an exact duplicate of another, or the one record of a
-- distinct reading, which is rejected (no single owner), trusted, or excluded by consent.
accelerometer_fates as (

    select
        'rejected' as outcome,
        reject_reason as reason,
        landing_record_count
    from accelerometer_ledger
    where row_type = 'rejected'

    union all

    -- withheld in the landing zone: counted, never copied
    select
        'excluded' as outcome,
        'no_research_consent' as reason,
        landing_record_count
    from accelerometer_ledger
    where row_type = 'withheld'

    union all

    select
        'collapsed' as outcome,
        'exact_duplicate' as reason,
        landing_record_count - 1 as landing_record_count
    from accelerometer_readings
    where landing_record_count > 1

    union all

    select
        case
            when readings.attribution_issue is not null then 'rejected'
            when trusted.customer_email is not null then 'trusted'
            else 'excluded'
        end as outcome,
        case
            when readings.attribution_issue is not null then readings.attribution_issue
            when trusted.customer_email is not null then 'accelerometer_trusted'
            when trusted_customers.email is null then 'no_research_consent'
            else 'before_research_consent'
        end as reason,
        1 as landing_record_count
    from accelerometer_readings as readings
    left join trusted_customers
        on readings.customer_email = trusted_customers.email
    left join trusted_accelerometer as trusted
        on
            readings.customer_email = trusted.customer_email
            and readings.reading_epoch_ms = trusted.reading_epoch_ms
            and readings.x = trusted.x
            and readings.y = trusted.y
            and readings.z = trusted.z

),

step_trainer_fates as (

    select
        'rejected' as outcome,
        reject_reason as reason,
        landing_record_count
    from step_trainer_ledger
    where row_type = 'rejected'

    union all

    -- withheld in the landing zone: counted, never copied
    select
        'excluded' as outcome,
        'no_research_consent' as reason,
        landing_record_count
    from step_trainer_ledger
    where row_type = 'withheld'

    union all

    select
        'collapsed' as outcome,
        'exact_duplicate' as reason,
        landing_record_count - 1 as landing_record_count
    from step_trainer_readings
    where landing_record_count > 1

    union all

    select
        case
            when readings.attribution_issue is not null then 'rejected'
            when trusted.serial_number is not null then 'trusted'
            else 'excluded'
        end as outcome,
        case
            when readings.attribution_issue is not null then readings.attribution_issue
            when trusted.serial_number is not null then 'step_trainer_trusted'
            when curated_customers.email is null then 'owner_not_curated'
            else 'before_research_consent'
        end as reason,
        1 as landing_record_count
    from step_trainer_readings as readings
    left join curated_customers
        on readings.customer_email = curated_customers.email
    left join trusted_step_trainer as trusted
        on
            readings.serial_number = trusted.serial_number
            and readings.reading_epoch_ms = trusted.reading_epoch_ms

),

fates as (

    select
        'customer' as entity,
        outcome,
        reason,
        landing_record_count
    from customer_fates

    union all

    select
        'accelerometer' as entity,
        outcome,
        reason,
        landing_record_count
    from accelerometer_fates

    union all

    select
        'step_trainer' as entity,
        outcome,
        reason,
        landing_record_count
    from step_trainer_fates

),

final as (

    select
        entity,
        outcome,
        reason,
        cast(sum(landing_record_count) as bigint) as landing_record_count

    from fates
    group by entity, outcome, reason

)

select * from final
