-- Where every landing record went, for the three landing entities in one table: the rows of
-- reconciliation_customers, reconciliation_accelerometer and reconciliation_step_trainer.
with

customers as (

    select * from {{ ref('reconciliation_customers') }}

),

accelerometer as (

    select * from {{ ref('reconciliation_accelerometer') }}

),

step_trainer as (

    select * from {{ ref('reconciliation_step_trainer') }}

),

final as (

    select
        'customer' as entity,
        outcome,
        reason,
        found_in,
        landing_record_count
    from customers

    union all

    select
        'accelerometer' as entity,
        outcome,
        reason,
        found_in,
        landing_record_count
    from accelerometer

    union all

    select
        'step_trainer' as entity,
        outcome,
        reason,
        found_in,
        landing_record_count
    from step_trainer

)

select * from final
