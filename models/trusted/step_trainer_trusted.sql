{{
    config(
        s3_data_dir=zone_location('step_trainer/trusted'),
        **merge_config(
            unique_key=['reading_at', 'serial_number', 'reading_epoch_ms'],
            delete_when='row.read_at is null',
            partitioned_by=month_partitions('reading_at')
        )
    )
}}
-- Step-trainer readings of devices owned by exactly one of the customers whose data the model
-- may be trained on (customers_with_trusted_readings, whom customers_curated publishes), that
-- count under the consent policy (the owner's research consent).
-- Incremental: a run takes the readings the ledger read since the table last took one (its
-- watermark), and works out again every reading of a device whose owner changed, became or
-- stopped being curated, or whose consent changed, since then (the watermark and the policy
-- switch: macros/trusted/read_at_watermark.sql, consent_policy_switch.sql).
{#- Set here, outside the incremental branch, so that dbt sees each dependency when it parses. -#}
{%- set customers_to_redo = ref('customers_to_redo') %}
{%- set owners = ref('device_owners') %}
{%- set step_trainer_readings = ref('stg_stedi__step_trainer_readings') %}
{%- set switching = consent_policy_switch() %}
{%- set watermark = none if switching else read_at_watermark() %}
{#- A reading (`candidate`) of a device to redo, or at an instant of a reading read since the
    watermark: what the run works out again, in the ledger and in the table alike. -#}
{%- set redone_filter %}
(
    candidate.serial_number in (select devices_to_redo.serial_number from devices_to_redo)
    or exists (
        select 1
        from new_instants
        where
            new_instants.serial_number = candidate.serial_number
            and new_instants.reading_epoch_ms = candidate.reading_epoch_ms
    )
)
{%- endset %}
with

curated_owners as {{ materialized_cte() }} (

    select
        email,
        research_consent_epoch_ms

    from {{ ref('customers_with_trusted_readings') }}

),

{% if watermark is not none -%}
-- Each device with the curated customer who alone owns it now.
devices_now as {{ materialized_cte() }} (

    select
        device_owners.serial_number,
        device_owners.owner_email as customer_email

    from {{ owners }} as device_owners
    inner join curated_owners
        on device_owners.owner_email = curated_owners.email
    where device_owners.owner_count = 1

),

-- The instants of the readings read after the watermark: a new reading at an instant the table
-- holds can make the reading there conflicting.
new_instants as {{ materialized_cte() }} (

    select distinct
        serial_number,
        reading_epoch_ms
    from {{ step_trainer_readings }}
    where {{ read_after_watermark('read_at', watermark) }}

),

-- Whose every reading is worked out again: a device whose owner in the table is not its curated
-- owner now (ownership moved, the device became shared, or the owner stopped being curated,
-- withdrew or was erased), a device with a curated owner now and no row (its owner became
-- curated, or it has no reading that counts yet), and the devices of customers whose consent
-- changed.
devices_to_redo as {{ materialized_cte() }} (

    select coalesce(devices_now.serial_number, devices_held.serial_number) as serial_number
    from devices_now
    full outer join (
        select distinct
            serial_number,
            customer_email
        from {{ this }}
    ) as devices_held
        on
            devices_now.serial_number = devices_held.serial_number
            and devices_now.customer_email = devices_held.customer_email
    where devices_now.serial_number is null or devices_held.serial_number is null

    union

    select devices_now.serial_number
    from devices_now
    inner join {{ customers_to_redo }} as customers_to_redo
        on devices_now.customer_email = customers_to_redo.email
    where customers_to_redo.changed_at is null or customers_to_redo.changed_at > {{ watermark }}

),
{%- endif %}

-- Every reading at those instants and of those devices (a full build: every reading).
readings as (

    select candidate.*
    from {{ ref('int_step_trainer_readings_attributed') }} as candidate
    where
        candidate.attribution_issue is null
    {% if watermark is not none -%}
            and {{ redone_filter }}
        {%- endif %}

),

due as (

    select
        readings.serial_number,
        readings.customer_email,
        readings.reading_at,
        readings.reading_epoch_ms,
        readings.distance_from_object,
        '{{ consent_policy() }}' as consent_policy,
        readings.read_at

    from readings
    inner join curated_owners
        on readings.customer_email = curated_owners.email
    where {{ reading_counts_under_consent(
        'readings.reading_epoch_ms', 'curated_owners.research_consent_epoch_ms'
    ) }}

),

-- The table's rows at those instants and of those devices (none on a full build; every row when
-- the table's rows were worked out under another consent policy).
redone as (

    {% if switching %}
        select * from {{ this }}
    {% elif watermark is none %}
        select * from due
        where false
    {% else %}
    select candidate.*
    from {{ this }} as candidate
    where {{ redone_filter }}
    {% endif %}

),

-- The merge source: what changes, by the key (device, instant) of each row.
--   - a reading due that the table lacks, or holds otherwise, is written (a full build: every
--     reading due);
--   - a row the table holds at those instants and of those devices that is no longer due is
--     written with a null read_at, which deletes it (delete_when in the config above);
--   - rows that would not change are left out, so a run with nothing to change merges nothing.
-- One full outer join, so that each CTE is read once: Trino inlines a CTE at every reference.
final as (

    select
        coalesce(due.serial_number, redone.serial_number) as serial_number,
        case
            when due.serial_number is null then redone.customer_email
            else due.customer_email
        end as customer_email,
        case
            when due.serial_number is null then redone.reading_at
            else due.reading_at
        end as reading_at,
        case
            when due.serial_number is null then redone.reading_epoch_ms
            else due.reading_epoch_ms
        end as reading_epoch_ms,
        case
            when due.serial_number is null then redone.distance_from_object
            else due.distance_from_object
        end as distance_from_object,
        case
            when due.serial_number is null then redone.consent_policy
            else due.consent_policy
        end as consent_policy,
        -- null for a row no longer due: it deletes the row (delete_when above)
        case when due.serial_number is null then null else due.read_at end as read_at

    from due
    full outer join redone
        on
            due.serial_number = redone.serial_number
            and due.reading_epoch_ms = redone.reading_epoch_ms
    where
        due.serial_number is null
        or redone.serial_number is null
        or not (
            due.serial_number = redone.serial_number
            and due.customer_email = redone.customer_email
            and due.reading_at = redone.reading_at
            and due.reading_epoch_ms = redone.reading_epoch_ms
            and due.distance_from_object = redone.distance_from_object
            and due.consent_policy = redone.consent_policy
            and due.read_at = redone.read_at
        )

)

select * from final
