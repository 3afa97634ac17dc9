-- Every step-trainer landing record, typed and cleaned, with the reason it cannot be used (if any).
with

source as (

    -- The file each record came from, under a name of its own (on Athena a hidden column).
    select
        *,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'step_trainer_landing') }}

),

cleaned as (

    select
        sensorreadingtime as reading_epoch_ms,
        distancefromobject as distance_from_object,
        nullif(lower(trim(serialnumber)), '') as serial_number,
        record_landing_file as landing_file,
        (serialnumber is null and coalesce(sensorreadingtime, distancefromobject) is null)
        or {{ is_field_names_line(['serialnumber']) }} as is_malformed

    from source

),

final as (

    -- A malformed record carries no values, whatever an engine made of the line.
    select
        landing_file,
        case when not is_malformed then serial_number end as serial_number,
        case when not is_malformed then reading_epoch_ms end as reading_epoch_ms,
        case when not is_malformed then distance_from_object end as distance_from_object,
        case
            when is_malformed then 'malformed_record'
            when serial_number is null then 'missing_serial_number'
            when reading_epoch_ms is null then 'missing_sensor_reading_time'
            when distance_from_object is null then 'missing_distance'
        end as reject_reason

    from cleaned

)

select * from final
