with

records as (

    select * from {{ ref('base_stedi__step_trainer_records') }}
    where reject_reason is null

),

final as (

    -- Exact duplicates (e.g. a file delivered twice) collapse into one reading.
    select
        serial_number,
        reading_epoch_ms,
        {{ epoch_ms_to_timestamp('reading_epoch_ms') }} as reading_at,
        distance_from_object,
        count(*) as landing_record_count

    from records
    group by serial_number, reading_epoch_ms, distance_from_object

)

select * from final
