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
