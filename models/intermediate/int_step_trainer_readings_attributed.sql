-- Each staged step-trainer reading with the customer who owns the device, or why nobody can be
-- said to own it: no customer has the serial number, several do, or the device sent two
-- different distances for one instant.
with

readings as (

    select * from {{ ref('stg_stedi__step_trainer_readings') }}

),

device_owners as (

    select * from {{ ref('device_owners') }}

),

conflicting_instants as (

    select
        serial_number,
        reading_epoch_ms

    from readings
    group by serial_number, reading_epoch_ms
    having count(*) > 1

),

final as (

    select
        readings.serial_number,
        readings.reading_epoch_ms,
        readings.reading_at,
        readings.distance_from_object,
        readings.landing_record_count,
        readings.read_at,
        case
            when device_owners.owner_count = 1 then device_owners.owner_email
        end as customer_email,
        case
            when device_owners.serial_number is null then 'unknown_serial_number'
            when device_owners.owner_count > 1 then 'ambiguous_serial_number'
            when conflicting_instants.serial_number is not null then 'conflicting_reading'
        end as attribution_issue

    from readings
    left join device_owners
        on readings.serial_number = device_owners.serial_number
    left join conflicting_instants
        on
            readings.serial_number = conflicting_instants.serial_number
            and readings.reading_epoch_ms = conflicting_instants.reading_epoch_ms

)

select * from final
