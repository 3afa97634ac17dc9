-- Every erasure request, one row a line of erasure_landing (erasure/landing/*.json): the file it
-- came from, the request's id, when it was made (null unless a plausible instant), and the email
-- to erase, normalised as every other email is. The only reader of erasure_landing. A line that
-- is no request stops the run before any model (refuse_unreadable_erasure_requests), so every row
-- here names an email. Fields are read by their JSON type (macros/landing/landing_json.sql).
-- Ephemeral (inlined where it is used): a view of it would be a relation listing whom to erase.
{{ config(materialized='ephemeral') }}
with

source as (

    -- One row a landing line, with the file it came from (on Athena a hidden column).
    select
        {{ landing_json('line') }} as record,
        {{ landing_file_column() }} as landing_path

    from {{ source('stedi_landing', 'erasure_landing') }}
    where {{ is_landing_line('line') }}

),

parsed as (

    select
        landing_path,
        {{ landing_fields('record', ['email', 'requestId', 'requestedAt']) }} as json_values

    from source

),

fields as (

    select
        parsed.landing_path,
        {{ json_string('parsed.json_values', 'requestId') }} as request_id_text,
        {{ json_number('parsed.json_values', 'requestedAt') }} as requested_value,
        {{ json_string('parsed.json_values', 'email') }} as email_text

    from parsed

),

final as (

    select
        {{ landing_file_name('landing_path') }} as landing_file,
        nullif(trim(request_id_text), '') as request_id,
        case
            when {{ is_plausible_instant('requested_value') }} then cast(requested_value as bigint)
        end as requested_epoch_ms,
        nullif(lower(trim(email_text)), '') as email

    from fields

)

select * from final
