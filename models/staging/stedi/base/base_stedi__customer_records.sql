-- Every customer landing record, typed and cleaned, with the reason it cannot be used (if any)
-- and the file it came from. A record of a customer to erase keeps nothing but its file
-- (macros/privacy/erasure.sql).
{%- set text_fields = ['customername', 'email', 'phone', 'birthday', 'serialnumber'] %}
with

source as (

    -- The file each record came from, under a name of its own (on Athena a hidden column).
    select
        *,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'customer_landing') }}

),

erased as (

    {{ erased_emails() }}

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
        record_landing_file as landing_file,
        coalesce(nullif(lower(trim(email)), '') in (select erased.email from erased), false) as is_erased,
        (
            coalesce(customername, email, phone, birthday, serialnumber) is null
            and coalesce(
                registrationdate,
                lastupdatedate,
                sharewithresearchasofdate,
                sharewithpublicasofdate,
                sharewithfriendsasofdate
            ) is null
        )
        or {{ is_field_names_line(text_fields) }} as is_malformed

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
        case when keeps_values then customer_name end as customer_name,
        case when keeps_values then email end as email,
        case when keeps_values then phone end as phone,
        case when keeps_values then birth_day end as birth_day,
        case when keeps_values then serial_number end as serial_number,
        case when keeps_values then registration_epoch_ms end as registration_epoch_ms,
        case when keeps_values then last_update_epoch_ms end as last_update_epoch_ms,
        case when keeps_values then research_consent_epoch_ms end as research_consent_epoch_ms,
        case when keeps_values then public_consent_epoch_ms end as public_consent_epoch_ms,
        case when keeps_values then friends_consent_epoch_ms end as friends_consent_epoch_ms,
        case
            when is_malformed then 'malformed_record'
            when is_erased then 'erased'
            when email is null then 'missing_email'
            when not {{ is_valid_email('email') }} then 'invalid_email'
            when last_update_epoch_ms is null then 'missing_last_update_date'
        end as reject_reason

    from flagged

)

select * from final
