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
