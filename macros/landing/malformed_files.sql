{#-
    A landing file whose lines are mostly malformed stops the build, naming the file.

    Why: both engines read a line that is not a JSON object as a malformed_record in staging,
    which is right for a stray line. But a file that is a JSON array (pretty-printed,
    one element a line) or a binary file is all such lines: read quietly, its records all go to
    quarantine and, for customers, every trusted and curated table empties. A file in which more
    than var('malformed_file_threshold') of the lines are malformed (default 0.5, dbt_project.yml)
    is a file in the wrong format, not a file with defects.

    How, on both engines and at no extra read: the models that read landing files
    (stg_stedi__customers; the ledgers, the new files only) already count each file's records;
    they count its malformed ones beside, and a file over the threshold makes the model's query
    fail with a message naming every such file and its share. The query fails before the model
    writes anything, so the ledger does not record the file as read, and the models downstream
    are skipped: the zones keep what they held. (A data test would run after the model had
    written; a compile-time query would read the files once more.)
-#}

{#- The var, checked: a share between 0 and 1 (1: never stop). -#}
{% macro malformed_file_threshold() -%}
    {%- set threshold = var('malformed_file_threshold') -%}
    {%- if threshold is not number or threshold < 0 or threshold > 1 -%}
        {{ exceptions.raise_compiler_error(
            "var malformed_file_threshold must be a number from 0 to 1 (a share of a file's lines), not "
            ~ threshold
        ) }}
    {%- endif -%}
    {{ return(threshold | float) }}
{%- endmacro %}

{#-
    One row: the files of `file_counts` (a CTE with landing_file, landing_record_count,
    malformed_record_count) over the threshold, as one text (null when there are none).
-#}
{% macro malformed_files_report(file_counts, entity) -%}
    {%- set threshold = malformed_file_threshold() -%}
    {%- set described -%}
        '{{ entity }}/landing/' || landing_file || ' (' || cast(malformed_record_count as varchar)
        || ' of ' || cast(landing_record_count as varchar) || ' lines, '
        || cast(cast(round(100.0 * malformed_record_count / landing_record_count) as integer) as varchar)
        || '%)'
    {%- endset -%}
    select {{ sorted_string_agg(described, "', '") }} as file_list
    from {{ file_counts }}
    where malformed_record_count > {{ threshold }} * landing_record_count
{%- endmacro %}

{#- `value` (of `data_type`), or the build stops when `malformed_files` (the report's file_list) is not null. -#}
{% macro value_unless_malformed_files(value, malformed_files, data_type) -%}
    case
        when {{ malformed_files }} is null then {{ value }}
        else {{ stop_the_build(
            "'STEDI landing files whose lines are mostly malformed (more than malformed_file_threshold = "
            ~ malformed_file_threshold() ~ " of their lines): ' || " ~ malformed_files
            ~ " || '. A JSON array or a binary file is not JSON Lines: replace the file, hide it with a name "
            ~ "starting with _, or raise the var malformed_file_threshold.'",
            data_type
        ) }}
    end
{%- endmacro %}
