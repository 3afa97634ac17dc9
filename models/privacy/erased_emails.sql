-- Whom to erase: every email an erasure request names, once. A customer record or an
-- accelerometer reading of one of these emails keeps nothing but its landing file (the base
-- models), the ledgers and the consent history drop what they took of it, and the trusted
-- tables redo it (docs/privacy.md, "Erasing a customer").
select distinct email

from {{ ref('base_stedi__erasure_requests') }}
where email is not null
