-- Every customer landing record, typed and cleaned, with the reason it cannot be used (if any)
-- and the file it came from. Fields are read by their JSON type, never coerced
-- (macros/landing/landing_json.sql). A research consent counts only when it can be one
-- (macros/privacy/research_consent_epoch_ms.sql): on the consent field the safe side
-- wins. A record of a customer to erase keeps nothing but its file, and no record keeps the serial
-- number of a device an erased customer named (models/privacy/).
with

source as (

    -- One row a landing line, with the file it came from (on Athena a hidden column).
    select
        {{ landing_json('line') }} as record,
        {{ landing_file_column() }} as record_landing_file

    from {{ source('stedi_landing', 'customer_landing') }}
    where {{ is_landing_line('line') }}

),

-- Each field's JSON value, the line parsed once (macros/landing/landing_json.sql).
parsed as (

    select
        record,
        record_landing_file,
        {{ landing_fields('record', [
            'customerName', 'email', 'phone', 'birthDay', 'serialNumber', 'registrationDate', 'lastUpdateDate',
            'shareWithResearchAsOfDate', 'shareWithPublicAsOfDate', 'shareWithFriendsAsOfDate',
        ]) }} as json_values

    from source

),

erased as (

    select email from {{ ref('erased_emails') }}

),

-- Devices an erased customer named: another customer's record that names one too keeps its
-- other values, but not the serial number (the device's readings are erased as well).
erased_devices as (

    select serial_number from {{ ref('erased_serial_numbers') }}

),

fields as (

    select
        parsed.record_landing_file as landing_file,
        {{ json_string('parsed.json_values', 'customerName') }} as customer_name_text,
        {{ json_string('parsed.json_values', 'email') }} as email_text,
        {{ json_string('parsed.json_values', 'phone') }} as phone_text,
        {{ json_string('parsed.json_values', 'birthDay') }} as birth_day_text,
        {{ json_string('parsed.json_values', 'serialNumber') }} as serial_number_text,
        {{ json_number('parsed.json_values', 'registrationDate') }} as registration_value,
        {{ json_number('parsed.json_values', 'lastUpdateDate') }} as last_update_value,
        {{ json_number('parsed.json_values', 'shareWithResearchAsOfDate') }} as research_value,
        {{ json_number('parsed.json_values', 'shareWithPublicAsOfDate') }} as public_consent_value,
        {{ json_number('parsed.json_values', 'shareWithFriendsAsOfDate') }} as friends_consent_value,
        not {{ is_json_object('parsed.record') }}
        or not (
            {{ json_has('parsed.json_values', 'customerName') }}
            or {{ json_has('parsed.json_values', 'email') }}
            or {{ json_has('parsed.json_values', 'phone') }}
            or {{ json_has('parsed.json_values', 'birthDay') }}
            or {{ json_has('parsed.json_values', 'serialNumber') }}
            or {{ json_has('parsed.json_values', 'registrationDate') }}
            or {{ json_has('parsed.json_values', 'lastUpdateDate') }}
            or {{ json_has('parsed.json_values', 'shareWithResearchAsOfDate') }}
            or {{ json_has('parsed.json_values', 'shareWithPublicAsOfDate') }}
            or {{ json_has('parsed.json_values', 'shareWithFriendsAsOfDate') }}
        ) as is_malformed

    from parsed

),

cleaned as (

    select
        landing_file,
        is_malformed,
        {{ plausible_instant_or_null('registration_value') }} as registration_epoch_ms,
        {{ plausible_instant_or_null('last_update_value') }} as last_update_epoch_ms,
        {{ plausible_instant_or_null('public_consent_value') }} as public_consent_epoch_ms,
        {{ plausible_instant_or_null('friends_consent_value') }} as friends_consent_epoch_ms,
        {{ research_consent_epoch_ms('research_value', 'registration_value') }} as research_consent_epoch_ms,
        last_update_value is not null
        and not {{ is_plausible_instant('last_update_value') }} as has_implausible_last_update,
        nullif(trim(customer_name_text), '') as customer_name,
        nullif(lower(trim(email_text)), '') as email,
        nullif(trim(phone_text), '') as phone,
        nullif(trim(birth_day_text), '') as birth_day,
        nullif(lower(trim(serial_number_text)), '') as serial_number

    from fields

),

erasure as (

    select
        *,
        coalesce(email in (select erased.email from erased), false) as is_erased,
        coalesce(
            serial_number in (select erased_devices.serial_number from erased_devices), false
        ) as names_an_erased_device

    from cleaned

),

flagged as (

    select
        *,
        not is_malformed and not is_erased as keeps_values

    from erasure

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
        case when keeps_values and not names_an_erased_device then serial_number end as serial_number,
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
            when has_implausible_last_update then 'implausible_last_update_date'
            when last_update_epoch_ms is null then 'missing_last_update_date'
        end as reject_reason

    from flagged

)

select * from final
