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
