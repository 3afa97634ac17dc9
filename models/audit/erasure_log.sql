{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='request_key',
        on_schema_change='fail'
    )
}}
-- After the last of the models that keep history (the ledgers, the consent history and
-- accelerometer_trusted come before it; tests/python/test_conventions.py checks that every one
-- does): an order, not data, hence the comment.
-- depends_on: {{ ref('step_trainer_trusted') }}
{#
    The record of every erasure request, without the erased person: which request, when it was
    made, and the run that first applied it. A request is logged only once the models that keep
    history (the ledgers, the consent history, the trusted readings) have erased in this run (they
    come first), and a run that logs a new request expires the Iceberg history on Athena at its
    end (macros/privacy/purge_erased_history.sql). Rows are only added, never changed.
    Nothing outside the audit zone reads it: the trusted readings find erased customers in the
    requests themselves (customers_to_redo).
-#}
with

requests as (

    select * from {{ ref('base_stedi__erasure_requests') }}

),

customer_emails as (

    select distinct email from {{ ref('base_stedi__customer_identities') }}

),

logged as (

    select
        requests.landing_file || '|' || coalesce(requests.request_id, '') as request_key,
        requests.request_id,
        requests.landing_file,
        {{ epoch_ms_to_timestamp('min(requests.requested_epoch_ms)') }} as requested_at,
        case when count(requests.email) > 0 then 'applied' else 'no_email' end as status,
        count(customer_emails.email) > 0 as customer_found,
        count(*) as request_line_count

    from requests
    left join customer_emails
        on requests.email = customer_emails.email
    group by requests.landing_file, requests.request_id

),

final as (

    select
        request_key,
        request_id,
        landing_file,
        requested_at,
        status,
        customer_found,
        cast(request_line_count as bigint) as request_line_count,
        {{ run_started_timestamp() }} as first_applied_at

    from logged
    {% if is_incremental() %}
    where request_key not in (select logged_before.request_key from {{ this }} as logged_before)
    {% endif %}

)

select * from final
