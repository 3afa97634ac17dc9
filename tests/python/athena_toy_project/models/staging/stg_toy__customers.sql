with

source as (

    select * from {{ source('toy_landing', 'customer_landing') }}

),

renamed as (

    select
        email,
        customername as customer_name,
        serialnumber as serial_number,
        {{ epoch_ms_to_timestamp('registrationdate') }} as registered_at,
        {{ epoch_ms_to_timestamp('lastupdatedate') }} as last_updated_at,
        {{ epoch_ms_to_timestamp('sharewithresearchasofdate') }} as research_consent_at,
        sharewithresearchasofdate is not null as has_research_consent
    from source
    where email is not null

)

select * from renamed
