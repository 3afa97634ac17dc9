-- Every customer landing record, typed and cleaned, with the reason it cannot be used (if any).
with

source as (

    select * from {{ source('stedi_landing', 'customer_landing') }}

),

cleaned as (

    select
        registrationdate as registration_epoch_ms,
        lastupdatedate as last_update_epoch_ms,
        sharewithresearchasofdate as research_consent_epoch_ms,
        sharewithpublicasofdate as public_consent_epoch_ms,
        sharewithfriendsasofdate as friends_consent_epoch_ms,
        nullif(trim(customername), '') as customer_name,
        nullif(lower(trim(email)), '') as email,
        nullif(trim(phone), '') as phone,
        nullif(trim(birthday), '') as birth_day,
        nullif(lower(trim(serialnumber)), '') as serial_number,
        coalesce(customername, email, phone, birthday, serialnumber) is null
        and coalesce(
            registrationdate,
            lastupdatedate,
            sharewithresearchasofdate,
            sharewithpublicasofdate,
            sharewithfriendsasofdate
        ) is null as is_malformed

    from source

),

final as (

    select
        customer_name,
        email,
        phone,
        birth_day,
        serial_number,
        registration_epoch_ms,
        last_update_epoch_ms,
        research_consent_epoch_ms,
        public_consent_epoch_ms,
        friends_consent_epoch_ms,
        case
            when is_malformed then 'malformed_record'
            when email is null then 'missing_email'
            when not {{ is_valid_email('email') }} then 'invalid_email'
            when last_update_epoch_ms is null then 'missing_last_update_date'
        end as reject_reason

    from cleaned

)

select * from final
