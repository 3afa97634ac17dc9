{{ config(materialized='view') }}
-- Each customer's research consent as their newest record states it: what the consent history
-- snapshot records, and nothing else of the customer (no name, phone, birthday or device).
-- A view, not ephemeral: the snapshot reads it as a relation.
with

customers as (

    select * from {{ ref('stg_stedi__customers') }}

),

final as (

    select
        email,
        has_research_consent,
        research_consent_epoch_ms,
        research_consented_at,
        last_updated_at

    from customers

)

select * from final
