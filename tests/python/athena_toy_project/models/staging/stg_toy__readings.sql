with

source as (

    select * from {{ source('toy_landing', 'reading_landing') }}

),

renamed as (

    select
        {{ dbt.hash("concat(\"user\", '|', cast(\"timestamp\" as varchar))") }} as reading_id,
        "user" as email,
        {{ epoch_ms_to_timestamp('"timestamp"') }} as read_at,
        x,
        y,
        z
    from source
    where "user" is not null and "timestamp" is not null

)

select * from renamed
