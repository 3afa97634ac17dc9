-- Every accelerometer landing record, typed and cleaned, with the reason it cannot be used (if any).
-- Fields are read by their JSON type, never coerced (macros/landing/landing_json.sql), and checked
-- against the contract's plausible values (the macros of macros/cleaning/).
-- A reading of a customer to erase keeps nothing but its file (models/privacy/erased_emails).
with

source as (

    -- One row a landing line, with the file it came from (on Athena a hidden column).
    select
        {{ landing_json('line') }} as record,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'accelerometer_landing') }}
    where {{ is_landing_line('line') }}

),

-- Each field's JSON value, the line parsed once (macros/landing/landing_json.sql).
parsed as (

    select
        record,
        record_landing_file,
        {{ landing_fields('record', ['user', 'timestamp', 'x', 'y', 'z']) }} as json_values

    from source

),

erased as (

    select email from {{ ref('erased_emails') }}

),

fields as (

    select
        parsed.record_landing_file as landing_file,
        {{ json_string('parsed.json_values', 'user') }} as user_text,
        {{ json_number('parsed.json_values', 'timestamp') }} as reading_epoch_ms_value,
        {{ json_number('parsed.json_values', 'x') }} as x,
        {{ json_number('parsed.json_values', 'y') }} as y,
        {{ json_number('parsed.json_values', 'z') }} as z,
        not {{ is_json_object('parsed.record') }}
        or not (
            {{ json_has('parsed.json_values', 'user') }}
            or {{ json_has('parsed.json_values', 'timestamp') }}
            or {{ json_has('parsed.json_values', 'x') }}
            or {{ json_has('parsed.json_values', 'y') }}
            or {{ json_has('parsed.json_values', 'z') }}
        ) as is_malformed

    from parsed

),

cleaned as (

    select
        landing_file,
        x,
        y,
        z,
        is_malformed,
        nullif(lower(trim(user_text)), '') as customer_email,
        {{ plausible_instant_or_null('reading_epoch_ms_value') }} as reading_epoch_ms,
        reading_epoch_ms_value is not null
        and not {{ is_plausible_instant('reading_epoch_ms_value') }} as has_implausible_timestamp,
        not {{ is_plausible_acceleration('x') }}
        or not {{ is_plausible_acceleration('y') }}
        or not {{ is_plausible_acceleration('z') }} as has_implausible_acceleration,
        coalesce(nullif(lower(trim(user_text)), '') in (select erased.email from erased), false) as is_erased

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
        case when keeps_values then customer_email end as customer_email,
        case when keeps_values then reading_epoch_ms end as reading_epoch_ms,
        case when keeps_values then x end as x,
        case when keeps_values then y end as y,
        case when keeps_values then z end as z,
        case
            when is_malformed then 'malformed_record'
            when is_erased then 'erased'
            when customer_email is null then 'missing_user'
            when has_implausible_timestamp then 'implausible_timestamp'
            when reading_epoch_ms is null then 'missing_timestamp'
            when x is null or y is null or z is null then 'missing_acceleration'
            when has_implausible_acceleration then 'implausible_acceleration'
        end as reject_reason

    from flagged

)

select * from final
