-- Every accelerometer landing record, typed and cleaned, with the reason it cannot be used (if any).
with

source as (

    -- The file each record came from, under a name of its own (on Athena a hidden column).
    select
        *,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'accelerometer_landing') }}

),

cleaned as (

    select
        "timestamp" as reading_epoch_ms,
        x,
        y,
        z,
        nullif(lower(trim("user")), '') as customer_email,
        record_landing_file as landing_file,
        ("user" is null and coalesce("timestamp", x, y, z) is null)
        or {{ is_field_names_line(['user']) }} as is_malformed

    from source

),

final as (

    -- A malformed record carries no values, whatever an engine made of the line.
    select
        landing_file,
        case when not is_malformed then customer_email end as customer_email,
        case when not is_malformed then reading_epoch_ms end as reading_epoch_ms,
        case when not is_malformed then x end as x,
        case when not is_malformed then y end as y,
        case when not is_malformed then z end as z,
        case
            when is_malformed then 'malformed_record'
            when customer_email is null then 'missing_user'
            when reading_epoch_ms is null then 'missing_timestamp'
            when x is null or y is null or z is null then 'missing_acceleration'
        end as reject_reason

    from cleaned

)

select * from final
