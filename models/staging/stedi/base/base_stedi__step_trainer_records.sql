-- Every step-trainer landing record, typed and cleaned, with the reason it cannot be used (if any).
-- A reading of a device that a customer to erase names keeps nothing but its file
-- (macros/privacy/erasure.sql).
with

source as (

    -- The file each record came from, under a name of its own (on Athena a hidden column).
    select
        *,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'step_trainer_landing') }}

),

erased as (

    {{ erased_serial_numbers() }}

),

cleaned as (

    select
        sensorreadingtime as reading_epoch_ms,
        distancefromobject as distance_from_object,
        nullif(lower(trim(serialnumber)), '') as serial_number,
        record_landing_file as landing_file,
        coalesce(
            nullif(lower(trim(serialnumber)), '') in (select erased.serial_number from erased), false
        ) as is_erased,
        (serialnumber is null and coalesce(sensorreadingtime, distancefromobject) is null)
        or {{ is_field_names_line(['serialnumber']) }} as is_malformed

    from source

),

flagged as (

    select
        *,
        not is_malformed and not is_erased as keeps_values

    from cleaned

),

final as (

    -- A malformed record carries no values, whatever an engine made of the line; nor does an
    -- erased one.
    select
        landing_file,
        case when keeps_values then serial_number end as serial_number,
        case when keeps_values then reading_epoch_ms end as reading_epoch_ms,
        case when keeps_values then distance_from_object end as distance_from_object,
        case
            when is_malformed then 'malformed_record'
            when is_erased then 'erased'
            when serial_number is null then 'missing_serial_number'
            when reading_epoch_ms is null then 'missing_sensor_reading_time'
            when distance_from_object is null then 'missing_distance'
        end as reject_reason

    from flagged

)

select * from final
