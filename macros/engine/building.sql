{#-
    The dbt commands that build: they run models, seeds, snapshots or tests against the lake.
    The others (compile, docs generate, show, ls, run-operation) only compile or read it.
-#}
{% macro building_commands() -%}
    {{ return(['build', 'run', 'seed', 'snapshot', 'test', 'retry']) }}
{%- endmacro %}

{#-
    Whether this command builds. A compile-time look-up that reads the landing zone through the
    landing tables (which readings to read again, whether an erasure request is there) runs only
    then: the local landing views name the files the last build listed, and one the landing zone's
    retention has deleted since, or a landing root that moved, would fail `dbt docs generate`. A
    command that does not build compiles the SQL of a run with nothing to read again.
-#}
{% macro building() -%}
    {{ return(execute and flags.WHICH in building_commands()) }}
{%- endmacro %}
