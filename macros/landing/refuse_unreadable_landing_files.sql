{% macro refuse_unreadable_landing_files(problems) -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Landing files the build cannot read: " ~ problems | join(', ') ~ ". Only files named "
            ~ landing_file_names_read() ~ " directly in <entity>/landing/ are read (JSON Lines; .gz: "
            ~ "gzip-compressed): rename them, move them out of the landing folder, or hide them with a "
            ~ "name starting with '_' (Athena skips those too). A link is read as the file it names: "
            ~ "point it at a file or remove it."
        ) }}
    {%- endif -%}
{%- endmacro %}
