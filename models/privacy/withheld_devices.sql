{{ config(materialized='view') }}
-- Whose step-trainer readings are withheld: every device some customer's newest record names,
-- with is_withheld when exactly one customer names it (its owner, device_owners) and that customer
-- has no research consent: its readings stay in the landing zone, and the step-trainer ledger
-- counts them as `withheld`. A device of several customers is not withheld: its readings belong
-- to nobody, and the quarantine says so. One aggregation, not a join with device_owners: the
-- ledger's query repeats it, and Trino plans a stage for each (at most 150 a query).
select
    serial_number,
    count(*) = 1 and not bool_or(has_research_consent) as is_withheld

from {{ ref('stg_stedi__customers') }}
where serial_number is not null
group by serial_number
