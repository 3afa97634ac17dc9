-- Every step-trainer landing record, typed and cleaned, with the reason it cannot be used (if any).
with

source as (

    select * from {{ source('stedi_landing', 'step_trainer_landing') }}

),

cleaned as (

    select
        sensorreadingtime as reading_epoch_ms,
        distancefromobject as distance_from_object,
        nullif(lower(trim(serialnumber)), '') as serial_number,
        serialnumber is null
        and coalesce(sensorreadingtime, distancefromobject) is null as is_malformed

    from source

),

final as (

    select
        serial_number,
        reading_epoch_ms,
        distance_from_object,
        case
            when is_malformed then 'malformed_record'
            when serial_number is null then 'missing_serial_number'
            when reading_epoch_ms is null then 'missing_sensor_reading_time'
            when distance_from_object is null then 'missing_distance'
        end as reject_reason

    from cleaned

)

select * from final
