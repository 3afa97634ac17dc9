"""The embedded DuckDB database, set up to compute the way Athena (Trino) does.

Session settings and a few macros close the gaps between the two engines that the translator
(translate.py) routes calls through:

- ``integer_division``: Trino's ``7 / 2`` is 3 (truncating); DuckDB's is 3.5.
- ``TimeZone=UTC``: Athena sessions run in UTC, so casting a ``timestamp with time zone`` to
  ``timestamp`` gives UTC wall-clock time.
- ``athena_varchar``: CAST(... AS varchar) renders doubles as Trino does (``1.5E0``, SQL standard
  scientific notation), timestamps with their precision's fraction (``.123`` / ``.123000``) and
  ``timestamp with time zone`` with `` UTC``; DuckDB writes ``1.5`` and drops the fraction.
- ``athena_cast_<int type>``: a double cast to an integer type rounds half away from zero in Trino; DuckDB
  rounds half to even (``CAST(2.5e0 AS bigint)`` is 3 on Athena, 2 on DuckDB; -2.5e0 gives -3).
- ``athena_from_unixtime``: ``timestamp(3) with time zone``, rounded to the millisecond as Trino
  does; DuckDB's ``to_timestamp`` keeps microseconds of binary noise (…20.122999).
- ``athena_now``: ``current_timestamp`` is millisecond precision on Athena.
- ``athena_regexp_extract`` / ``athena_split_part``: null when nothing matches or the field does
  not exist; DuckDB returns an empty string.
- ``athena_typeof``: Trino's type names (``integer``, ``varchar``, ``timestamp(3)``).
"""

from __future__ import annotations

import duckdb

_INTEGRAL = ("tinyint", "smallint", "integer", "bigint")

_TIMESTAMP_TEXT = (
    "WHEN typeof(x) = 'TIMESTAMP_MS' THEN strftime(TRY_CAST(x AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%g') "
    "WHEN typeof(x) = 'TIMESTAMP' THEN strftime(TRY_CAST(x AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f') "
    "WHEN typeof(x) = 'TIMESTAMP_S' THEN strftime(TRY_CAST(x AS TIMESTAMP), '%Y-%m-%d %H:%M:%S') "
    "WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' "
    "THEN strftime(TRY_CAST(x AS TIMESTAMPTZ), '%Y-%m-%d %H:%M:%S.%g') || ' UTC' "
)

# Trino writes a double (or real) in SQL-standard scientific notation, Java DecimalFormat
# "0.0###E0" over the shortest digits that round-trip the value. DuckDB's own text for a float is
# those shortest digits ('123.45', '1e+20', '1.5e-05'), so the macros below only move the point.
_SCIENTIFIC = [
    "CREATE MACRO athena_sci_mantissa(t) AS split_part(lower(t), 'e', 1)",
    "CREATE MACRO athena_sci_shift(t) AS "
    "CASE WHEN contains(lower(t), 'e') THEN CAST(split_part(lower(t), 'e', 2) AS INTEGER) ELSE 0 END",
    "CREATE MACRO athena_sci_int_len(m) AS "
    "CASE WHEN contains(m, '.') THEN strpos(m, '.') - 1 ELSE length(m) END",
    "CREATE MACRO athena_sci_digits(m) AS rtrim(ltrim(replace(m, '.', ''), '0'), '0')",
    "CREATE MACRO athena_sci_exponent(t) AS athena_sci_int_len(athena_sci_mantissa(t)) - 1 "
    "- (length(replace(athena_sci_mantissa(t), '.', '')) "
    "- length(ltrim(replace(athena_sci_mantissa(t), '.', ''), '0'))) + athena_sci_shift(t)",
    "CREATE MACRO athena_sci_text(t) AS "
    "left(athena_sci_digits(athena_sci_mantissa(t)), 1) || '.' "
    "|| coalesce(nullif(substr(athena_sci_digits(athena_sci_mantissa(t)), 2), ''), '0') "
    "|| 'E' || CAST(athena_sci_exponent(t) AS VARCHAR)",
    "CREATE MACRO athena_float_to_varchar(x) AS CASE "
    "WHEN isnan(x) THEN 'NaN' WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END "
    "WHEN x = 0 THEN CASE WHEN starts_with(CAST(x AS VARCHAR), '-') THEN '-0E0' ELSE '0E0' END "
    "ELSE CASE WHEN x < 0 THEN '-' ELSE '' END || athena_sci_text(CAST(abs(x) AS VARCHAR)) END",
]

_MACROS = [
    *_SCIENTIFIC,
    "CREATE MACRO athena_varchar(x) AS CASE "
    "WHEN typeof(x) = 'DOUBLE' THEN athena_float_to_varchar(TRY_CAST(x AS DOUBLE)) "
    "WHEN typeof(x) = 'FLOAT' THEN athena_float_to_varchar(TRY_CAST(x AS FLOAT)) "
    f"{_TIMESTAMP_TEXT} ELSE CAST(x AS VARCHAR) END",
    *(
        f"CREATE MACRO athena_{kind}cast_{name}(x) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') "
        f"THEN {function}(round(TRY_CAST(x AS DOUBLE)) AS {name}) ELSE {function}(x AS {name}) END"
        for name in _INTEGRAL
        for kind, function in (("", "CAST"), ("try_", "TRY_CAST"))
    ),
    "CREATE MACRO athena_from_unixtime(x) AS "
    "CAST(make_timestamp(CAST(floor(CAST(x AS DOUBLE) * 1000 + 0.5) AS BIGINT) * 1000) AS TIMESTAMPTZ)",
    "CREATE MACRO athena_now() AS date_trunc('millisecond', current_timestamp)",
    "CREATE MACRO athena_regexp_extract(s, p, g) AS "
    "CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) END",
    "CREATE MACRO athena_split_part(s, d, i) AS "
    "CASE WHEN i <= len(string_split(s, d)) THEN split_part(s, d, i) END",
    "CREATE MACRO athena_typeof(x) AS CASE typeof(x) "
    "WHEN 'VARCHAR' THEN 'varchar' WHEN 'INTEGER' THEN 'integer' WHEN 'BIGINT' THEN 'bigint' "
    "WHEN 'HUGEINT' THEN 'bigint' WHEN 'SMALLINT' THEN 'smallint' WHEN 'TINYINT' THEN 'tinyint' "
    "WHEN 'DOUBLE' THEN 'double' WHEN 'FLOAT' THEN 'real' WHEN 'BOOLEAN' THEN 'boolean' "
    "WHEN 'DATE' THEN 'date' "
    "WHEN 'TIMESTAMP_S' THEN 'timestamp(0)' WHEN 'TIMESTAMP_MS' THEN 'timestamp(3)' "
    "WHEN 'TIMESTAMP' THEN 'timestamp(6)' WHEN 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp(3) with time zone' "
    "WHEN 'BLOB' THEN 'varbinary' ELSE lower(typeof(x)) END",
]


def open_engine() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB with Athena's session settings and the translation macros."""
    duck = duckdb.connect(":memory:")
    duck.execute("SET TimeZone = 'UTC'")
    duck.execute("SET integer_division = true")
    duck.execute("SET default_null_order = 'nulls_last'")
    for macro in _MACROS:
        duck.execute(macro)
    duck.execute("CREATE SCHEMA managed")
    return duck
