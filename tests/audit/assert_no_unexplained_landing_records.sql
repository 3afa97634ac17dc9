-- No landing record is anywhere but where the rules put it (landing_reconciliation): a record
-- lost, misplaced, duplicated, or admitted where the rules exclude it makes this fail, with the
-- entity, the fate the rules expected (reason), where the records were found and how many.
select
    entity,
    reason,
    found_in,
    landing_record_count

from {{ ref('landing_reconciliation') }}
where outcome = 'unexplained'
