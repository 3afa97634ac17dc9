{{ config(materialized='view') }}
-- Whose accelerometer readings are withheld: every customer, with is_withheld when they have no
-- research consent. Their readings stay in the landing zone; the accelerometer ledger counts
-- them as `withheld` and reads them again if consent comes (docs/privacy.md).
select
    email as customer_email,
    not has_research_consent as is_withheld

from {{ ref('stg_stedi__customers') }}
