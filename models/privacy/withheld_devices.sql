{{ config(materialized='view') }}
-- Whose step-trainer readings are withheld: every device that exactly one customer owns, with
-- is_withheld when that customer has no research consent (its readings stay in the landing
-- zone; the step-trainer ledger counts them as `withheld`). A device of no customer, or of
-- several, is not withheld: the quarantine says why its readings belong to nobody.
select
    device_owners.serial_number,
    device_owners.owner_count = 1 and not customers.has_research_consent as is_withheld

from {{ ref('device_owners') }} as device_owners
inner join {{ ref('stg_stedi__customers') }} as customers
    on device_owners.owner_email = customers.email
