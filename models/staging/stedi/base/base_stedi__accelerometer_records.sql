-- Every accelerometer landing record, typed and cleaned, with the reason it cannot be used (if any).
-- A reading of a customer to erase keeps nothing but its file (macros/privacy/erasure.sql).
with

source as (

    -- The file each record came from, under a name of its own (on Athena a hidden column).
    select
        *,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'accelerometer_landing') }}

),

erased as (

    {{ erased_emails() }}

),

cleaned as (

    select
        "timestamp" as reading_epoch_ms,
        x,
        y,
        z,
        nullif(lower(trim("user")), '') as customer_email,
        record_landing_file as landing_file,
        coalesce(nullif(lower(trim("user")), '') in (select erased.email from erased), false) as is_erased,
        ("user" is null and coalesce("timestamp", x, y, z) is null)
        or {{ is_field_names_line(['user']) }} as is_malformed

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
        case when keeps_values then customer_email end as customer_email,
        case when keeps_values then reading_epoch_ms end as reading_epoch_ms,
        case when keeps_values then x end as x,
        case when keeps_values then y end as y,
        case when keeps_values then z end as z,
        case
            when is_malformed then 'malformed_record'
            when is_erased then 'erased'
            when customer_email is null then 'missing_user'
            when reading_epoch_ms is null then 'missing_timestamp'
            when x is null or y is null or z is null then 'missing_acceleration'
        end as reject_reason

    from flagged

)

select * from final
