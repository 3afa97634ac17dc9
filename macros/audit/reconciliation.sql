{#-
    Shared by the reconciliation models of models/audit/: where a landing record should be by the
    rules, and where it is.

    Each model lists its landing records (in groups of identical records) with
      expected_outcome  rejected, collapsed, excluded, erased, trusted or curated: what the rules say
      reason            the rule that decides it (a reject reason, a consent rule, the table)
      expected_in       the table the records belong in ('nowhere' for collapsed and excluded)
      found_in          the table they are in, found by looking them up there
    and reconciled() turns every group whose found_in differs from expected_in into
    `unexplained`: a record lost, misplaced, duplicated or admitted where it must not be.
-#}

{#-
    Where a group of records was found in `table_name`, given how many copies the table holds
    (null: none) and how many it should hold.
-#}
{% macro found_in(table_name, found_count, expected_count) -%}
    case
        when {{ found_count }} is null then 'nowhere'
        when {{ found_count }} = {{ expected_count }} then '{{ table_name }}'
        else '{{ table_name }} (count differs)'
    end
{%- endmacro %}

{#- The reconciliation rows of the `placed` CTE: one per outcome, reason and place. -#}
{% macro reconciled(placed) -%}
    select
        case when found_in = expected_in then expected_outcome else 'unexplained' end as outcome,
        reason,
        found_in,
        cast(sum(landing_record_count) as bigint) as landing_record_count

    from {{ placed }}
    group by
        case when found_in = expected_in then expected_outcome else 'unexplained' end,
        reason,
        found_in
{%- endmacro %}

{#-
    The placed rows of the records rejected when read (`rejected`: a CTE of records with
    reject_reason and landing_record_count). A rejected record must lack something a usable record
    has (`complete`, a condition on its columns, says it does not), and the quarantine
    (`quarantine`, with reject_reason and landing_record_count) must hold as many records of each
    reason.
-#}
{% macro rejected_fates(rejected, quarantine, complete) -%}
    {%- set quarantine_name = quarantine.identifier -%}
    select
        'rejected' as expected_outcome,
        case when {{ complete }} then 'complete_record_rejected' else rejected.reject_reason end as reason,
        case when {{ complete }} then 'no quarantine' else '{{ quarantine_name }}' end as expected_in,
        {{ found_in(quarantine_name, 'quarantined.found_count', 'by_reason.landing_record_count') }} as found_in,
        rejected.landing_record_count

    from {{ rejected }} as rejected
    inner join (
        select
            reject_reason,
            sum(landing_record_count) as landing_record_count
        from {{ rejected }}
        group by reject_reason
    ) as by_reason
        on rejected.reject_reason = by_reason.reject_reason
    left join (
        select
            reject_reason,
            sum(landing_record_count) as found_count
        from {{ quarantine }}
        group by reject_reason
    ) as quarantined
        on rejected.reject_reason = quarantined.reject_reason
{%- endmacro %}

{#-
    The one row, if any, of the records a reading ledger's files held that its rejected, withheld
    and reading rows do not account for: records lost, or counted twice, while reading.
-#}
{% macro unaccounted_ledger_records(ledger) -%}
    {%- set balance = "sum(case when row_type = 'file' then landing_record_count else -landing_record_count end)" -%}
    select
        'unexplained' as outcome,
        case when {{ balance }} > 0 then 'not_in_the_ledger' else 'counted_twice_in_the_ledger' end as reason,
        'nowhere' as found_in,
        cast(abs({{ balance }}) as bigint) as landing_record_count

    from {{ ledger }}
    where row_type in ('file', 'rejected', 'withheld', 'reading', 'erased', 'retired')
    having {{ balance }} != 0
{%- endmacro %}

{#-
    For the reconciliation test: a reading entity's landing files, one row per file, with the
    records the ledger counted in it (ledger_record_count) and the records it holds
    (landing_record_count): counted from the files themselves when `from_landing`, else taken to
    be the ledger's count. A file the ledger has not read has a null ledger_record_count; a file
    the ledger read that the landing zone no longer holds (retired by its retention) counts the
    records the ledger counted when it read it.
-#}
{% macro landing_file_counts(landing, ledger, from_landing) -%}
    select
        {{ 'coalesce(ledger_files.landing_file, landing_files.landing_file)' if from_landing else 'ledger_files.landing_file' }} as landing_file,
        ledger_files.landing_record_count as ledger_record_count,
        {{ 'coalesce(landing_files.landing_record_count, ledger_files.landing_record_count)'
            if from_landing else 'ledger_files.landing_record_count' }} as landing_record_count

    from (
        select
            landing_file,
            landing_record_count
        from {{ ledger }}
        where {{ is_ledger_row('file') }}
    ) as ledger_files
    {%- if from_landing %}
    full outer join (
        select
            {{ landing_file_name(landing_file_column()) }} as landing_file,
            count(*) as landing_record_count
        from {{ landing }}
        where {{ is_landing_line('line') }}
        group by {{ landing_file_name(landing_file_column()) }}
    ) as landing_files
        on ledger_files.landing_file = landing_files.landing_file
    {%- endif %}
{%- endmacro %}

{#-
    The placed rows every reading ledger shares: its `withheld` rows (a CTE with
    landing_record_count and lacks_consent: whether the rules still withhold them), counted and
    copied nowhere, and the exact duplicates among its `readings` (a CTE of its reading rows).
-#}
{% macro withheld_and_collapsed_fates(withheld, readings) -%}
    -- Withheld when read, for want of consent: counted in the ledger, copied nowhere. Should the
    -- owner consent now, or be no customer, the ledger should have read them again.
    select
        'excluded' as expected_outcome,
        case when lacks_consent then 'no_research_consent' else 'withheld_without_cause' end as reason,
        'nowhere' as expected_in,
        case when lacks_consent then 'nowhere' else 'ledger only' end as found_in,
        landing_record_count
    from {{ withheld }}

    union all

    -- A reading landed k times is one reading and k - 1 duplicates.
    select
        'collapsed' as expected_outcome,
        'exact_duplicate' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        landing_record_count - 1 as landing_record_count
    from {{ readings }}
    where landing_record_count > 1
{%- endmacro %}

{#-
    The placed rows of erased records (`erased`: a relation or CTE with landing_record_count):
    counted, nothing of them kept, so they belong nowhere. That they are nowhere is what
    tests/privacy/assert_no_erased_customer_anywhere checks, table by table.
-#}
{% macro erased_fates(erased) -%}
    select
        'erased' as expected_outcome,
        'erasure_request' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        landing_record_count
    from {{ erased }}
{%- endmacro %}

{#-
    The placed rows of readings withheld when read whose landing files were retired before their
    owner's consent came (`retired`: the ledger's retired rows): counted, copied nowhere.
-#}
{% macro retired_fates(retired) -%}
    select
        'excluded' as expected_outcome,
        'landing_file_retired' as reason,
        'nowhere' as expected_in,
        'nowhere' as found_in,
        landing_record_count
    from {{ retired }}
{%- endmacro %}
