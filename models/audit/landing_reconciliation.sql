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

accelerometer_records as (

    select * from {{ ref('base_stedi__accelerometer_records') }}

),

accelerometer_readings as (

    select * from {{ ref('int_accelerometer_readings_attributed') }}

),

trusted_accelerometer as (

    select * from {{ ref('accelerometer_trusted') }}

),

step_trainer_records as (

    select * from {{ ref('base_stedi__step_trainer_records') }}

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

customer_outcomes as (

    select
        'customer' as entity,
        'rejected' as outcome,
        reject_reason as reason,
        count(*) as landing_record_count
    from customer_records
    where reject_reason is not null
    group by reject_reason

    union all

    select
        'customer' as entity,
        'collapsed' as outcome,
        'older_version' as reason,
        (select count(*) from customer_records where reject_reason is null)
        - (select count(*) from customers) as landing_record_count

    union all

    select
        'customer' as entity,
        'excluded' as outcome,
        'no_research_consent' as reason,
        (select count(*) from customers)
        - (select count(*) from trusted_customers) as landing_record_count

    union all

    select
        'customer' as entity,
        'trusted' as outcome,
        'customer_trusted' as reason,
        count(*) as landing_record_count
    from trusted_customers

),

accelerometer_outcomes as (

    select
        'accelerometer' as entity,
        'rejected' as outcome,
        reject_reason as reason,
        count(*) as landing_record_count
    from accelerometer_records
    where reject_reason is not null
    group by reject_reason

    union all

    select
        'accelerometer' as entity,
        'collapsed' as outcome,
        'exact_duplicate' as reason,
        coalesce(sum(landing_record_count - 1), 0) as landing_record_count
    from accelerometer_readings

    union all

    select
        'accelerometer' as entity,
        'rejected' as outcome,
        attribution_issue as reason,
        count(*) as landing_record_count
    from accelerometer_readings
    where attribution_issue is not null
    group by attribution_issue

    union all

    select
        'accelerometer' as entity,
        'excluded' as outcome,
        case
            when trusted_customers.email is null then 'no_research_consent'
            else 'before_research_consent'
        end as reason,
        count(*) as landing_record_count
    from accelerometer_readings
    left join trusted_customers
        on accelerometer_readings.customer_email = trusted_customers.email
    left join trusted_accelerometer
        on
            accelerometer_readings.customer_email = trusted_accelerometer.customer_email
            and accelerometer_readings.reading_epoch_ms = trusted_accelerometer.reading_epoch_ms
            and accelerometer_readings.x = trusted_accelerometer.x
            and accelerometer_readings.y = trusted_accelerometer.y
            and accelerometer_readings.z = trusted_accelerometer.z
    where
        accelerometer_readings.attribution_issue is null
        and trusted_accelerometer.customer_email is null
    group by 1, 2, 3

    union all

    select
        'accelerometer' as entity,
        'trusted' as outcome,
        'accelerometer_trusted' as reason,
        count(*) as landing_record_count
    from trusted_accelerometer

),

step_trainer_outcomes as (

    select
        'step_trainer' as entity,
        'rejected' as outcome,
        reject_reason as reason,
        count(*) as landing_record_count
    from step_trainer_records
    where reject_reason is not null
    group by reject_reason

    union all

    select
        'step_trainer' as entity,
        'collapsed' as outcome,
        'exact_duplicate' as reason,
        coalesce(sum(landing_record_count - 1), 0) as landing_record_count
    from step_trainer_readings

    union all

    select
        'step_trainer' as entity,
        'rejected' as outcome,
        attribution_issue as reason,
        count(*) as landing_record_count
    from step_trainer_readings
    where attribution_issue is not null
    group by attribution_issue

    union all

    select
        'step_trainer' as entity,
        'excluded' as outcome,
        case
            when curated_customers.email is null then 'owner_not_curated'
            else 'before_research_consent'
        end as reason,
        count(*) as landing_record_count
    from step_trainer_readings
    left join curated_customers
        on step_trainer_readings.customer_email = curated_customers.email
    left join trusted_step_trainer
        on
            step_trainer_readings.serial_number = trusted_step_trainer.serial_number
            and step_trainer_readings.reading_epoch_ms = trusted_step_trainer.reading_epoch_ms
    where
        step_trainer_readings.attribution_issue is null
        and trusted_step_trainer.serial_number is null
    group by 1, 2, 3

    union all

    select
        'step_trainer' as entity,
        'trusted' as outcome,
        'step_trainer_trusted' as reason,
        count(*) as landing_record_count
    from trusted_step_trainer

),

outcomes as (

    select * from customer_outcomes
    union all
    select * from accelerometer_outcomes
    union all
    select * from step_trainer_outcomes

),

final as (

    select
        entity,
        outcome,
        reason,
        cast(landing_record_count as bigint) as landing_record_count

    from outcomes

)

select * from final
