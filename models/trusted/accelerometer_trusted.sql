{{
    config(
        s3_data_dir=zone_location('accelerometer/trusted'),
        **merge_config(
            unique_key=['reading_at', 'customer_email', 'reading_epoch_ms', 'x', 'y', 'z'],
            delete_when='row.read_at is null',
            partitioned_by=month_partitions('reading_at')
        )
    )
}}
-- Accelerometer readings of customers with research consent that count under the consent policy.
-- Incremental: a run takes the readings the ledger read since the table last took one (its
-- watermark), and works out again every reading of a customer whose consent changed, or who was
-- erased, since then (the watermark and the policy switch: macros/trusted/read_at_watermark.sql,
-- consent_policy_switch.sql).
{%- set customers_to_redo = ref('customers_to_redo') %}
{%- set switching = consent_policy_switch() %}
{%- set watermark = none if switching else read_at_watermark() %}
with

-- Whose every reading is worked out again: the customers to redo whose consent changed, or who
-- were erased, after the watermark (changed_at null: always); nobody on a full build.
to_redo as {{ materialized_cte() }} (

    {% if watermark is none %}
        -- Nobody, without reading it: a first `dbt run` has no consent history yet (no snapshot).
        select cast(null as varchar) as email
        where false
    {% else %}
        select distinct customers_to_redo.email
        from {{ customers_to_redo }} as customers_to_redo
        where customers_to_redo.changed_at is null or customers_to_redo.changed_at > {{ watermark }}
    {% endif %}

),

-- Those read after the watermark (a full build: every reading), and every reading of the
-- customers to redo.
readings as (

    select * from {{ ref('int_accelerometer_readings_attributed') }}
    where attribution_issue is null and {{ read_after_watermark('read_at', watermark) }}

    union all

    select * from {{ ref('int_accelerometer_readings_attributed') }}
    where
        attribution_issue is null
        and not {{ read_after_watermark('read_at', watermark) }}
        and customer_email in (select to_redo.email from to_redo)

),

consenting_customers as (

    select
        email,
        research_consent_epoch_ms

    from {{ ref('customer_trusted') }}

),

due as (

    select
        readings.customer_email,
        readings.reading_at,
        readings.reading_epoch_ms,
        readings.x,
        readings.y,
        readings.z,
        '{{ consent_policy() }}' as consent_policy,
        readings.read_at

    from readings
    inner join consenting_customers
        on readings.customer_email = consenting_customers.email
    where {{ reading_counts_under_consent(
        'readings.reading_epoch_ms', 'consenting_customers.research_consent_epoch_ms'
    ) }}

),

-- The rows of the customers to redo as the table holds them now (none on a full build; every
-- row when the table's rows were worked out under another consent policy).
redone as (

    {% if switching %}
        select * from {{ this }}
    {% elif watermark is none %}
        select * from due
        where false
    {% else %}
    select * from {{ this }}
    where customer_email in (select to_redo.email from to_redo)
    {% endif %}

),

-- The merge source: what changes, by the key (customer, instant, x, y, z) of each row.
--   - a reading due that the table lacks, or holds otherwise, is written (a full build: every
--     reading due);
--   - a row the table holds that is no longer due is written with a null read_at, which deletes
--     it (delete_when in the config above);
--   - rows that would not change are left out, so a run with nothing to change merges nothing.
-- One full outer join, so that each CTE is read once: Trino inlines a CTE at every reference.
final as (

    select
        coalesce(due.customer_email, redone.customer_email) as customer_email,
        case
            when due.customer_email is null then redone.reading_at
            else due.reading_at
        end as reading_at,
        case
            when due.customer_email is null then redone.reading_epoch_ms
            else due.reading_epoch_ms
        end as reading_epoch_ms,
        case
            when due.customer_email is null then redone.x
            else due.x
        end as x,
        case
            when due.customer_email is null then redone.y
            else due.y
        end as y,
        case
            when due.customer_email is null then redone.z
            else due.z
        end as z,
        case
            when due.customer_email is null then redone.consent_policy
            else due.consent_policy
        end as consent_policy,
        -- null for a row no longer due: it deletes the row (delete_when above)
        case when due.customer_email is null then null else due.read_at end as read_at

    from due
    full outer join redone
        on
            due.customer_email = redone.customer_email
            and due.reading_epoch_ms = redone.reading_epoch_ms
            and due.x = redone.x
            and due.y = redone.y
            and due.z = redone.z
    where
        due.customer_email is null
        or redone.customer_email is null
        or not (
            due.customer_email = redone.customer_email
            and due.reading_at = redone.reading_at
            and due.reading_epoch_ms = redone.reading_epoch_ms
            and due.x = redone.x
            and due.y = redone.y
            and due.z = redone.z
            and due.consent_policy = redone.consent_policy
            and due.read_at = redone.read_at
        )

)

select * from final
