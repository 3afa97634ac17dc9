-- Every step-trainer landing record, typed and cleaned, with the reason it cannot be used (if any).
-- Fields are read by their JSON type, never coerced (macros/landing/landing_json.sql), and checked
-- against the contract's plausible values (the macros of macros/cleaning/).
-- A reading of a device that a customer to erase names keeps nothing but its file
-- (models/privacy/erased_serial_numbers).
with

source as (

    -- One row a landing line, with the file it came from (on Athena a hidden column).
    select
        {{ landing_json('line') }} as record,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'step_trainer_landing') }}
    where {{ is_landing_line('line') }}

),

-- Each field's JSON value, the line parsed once (macros/landing/landing_json.sql).
parsed as (

    select
        record,
        record_landing_file,
        {{ landing_fields('record', [
            'serialNumber', 'sensorReadingTime', 'distanceFromObject',
        ]) }} as json_values

    from source

),

erased as (

    select serial_number from {{ ref('erased_serial_numbers') }}

),

fields as (

    select
        parsed.record_landing_file as landing_file,
        {{ json_string('parsed.json_values', 'serialNumber') }} as serial_number_text,
        {{ json_number('parsed.json_values', 'sensorReadingTime') }} as reading_epoch_ms_value,
        {{ json_number('parsed.json_values', 'distanceFromObject') }} as distance_value,
        not {{ is_json_object('parsed.record') }}
        or not (
            {{ json_has('parsed.json_values', 'serialNumber') }}
            or {{ json_has('parsed.json_values', 'sensorReadingTime') }}
            or {{ json_has('parsed.json_values', 'distanceFromObject') }}
        ) as is_malformed

    from parsed

),

cleaned as (

    select
        landing_file,
        is_malformed,
        nullif(lower(trim(serial_number_text)), '') as serial_number,
        {{ plausible_instant_or_null('reading_epoch_ms_value') }} as reading_epoch_ms,
        reading_epoch_ms_value is not null
        and not {{ is_plausible_instant('reading_epoch_ms_value') }} as has_implausible_time,
        case
            when {{ is_plausible_distance('distance_value') }} then cast(distance_value as integer)
        end as distance_from_object,
        distance_value is not null
        and not {{ is_plausible_distance('distance_value') }} as has_implausible_distance,
        coalesce(
            nullif(lower(trim(serial_number_text)), '') in (select erased.serial_number from erased), false
        ) as is_erased

    from fields

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
            when has_implausible_time then 'implausible_sensor_reading_time'
            when reading_epoch_ms is null then 'missing_sensor_reading_time'
            when has_implausible_distance then 'implausible_distance'
            when distance_from_object is null then 'missing_distance'
        end as reject_reason

    from flagged

)

select * from final
