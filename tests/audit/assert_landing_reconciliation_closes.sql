-- Every landing record is accounted for exactly once: per entity, the outcomes in
-- landing_reconciliation add up to the landing table's record count.
with

landing_counts as (

    select
        'customer' as entity,
        count(*) as landing_record_count
    from {{ source('stedi_landing', 'customer_landing') }}

    union all

    select
        'accelerometer' as entity,
        count(*) as landing_record_count
    from {{ source('stedi_landing', 'accelerometer_landing') }}

    union all

    select
        'step_trainer' as entity,
        count(*) as landing_record_count
    from {{ source('stedi_landing', 'step_trainer_landing') }}

),

reconciled_counts as (

    select
        entity,
        sum(landing_record_count) as landing_record_count

    from {{ ref('landing_reconciliation') }}
    group by entity

)

select
    landing_counts.entity,
    landing_counts.landing_record_count,
    reconciled_counts.landing_record_count as reconciled_record_count

from landing_counts
left join reconciled_counts
    on landing_counts.entity = reconciled_counts.entity
where
    reconciled_counts.landing_record_count is null
    or reconciled_counts.landing_record_count != landing_counts.landing_record_count
