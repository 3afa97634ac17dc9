"""The conventions of this project's models and macros that dbt-score's built-in rules do not express.

- every model has a key test: a `unique` test on a column or a `unique_combination_of_columns`
  test on the model (the project's own generic test, macros/generic_tests/), except the models
  under `keyless_paths` (the base views: one row per landing record, which has no key);
- the models of the governed zones (trusted, curated, quarantine, audit) have an enforced
  contract (dbt_project.yml sets it per folder; a model that turns it off fails);
- every model's owner (meta.owner, set per zone in dbt_project.yml) is one of `teams`, the teams
  that .github/CODEOWNERS names;
- zones flow one way: sources are read only in staging (the one exception: the subject key,
  read where pseudonyms are made); a model reads models of its own zone or of earlier ones, in
  the order staging and privacy, intermediate, trusted, curated, quarantine, audit (so nothing
  outside them reads the quarantine or the audit zone);
- a model has at most `max_parents` parents (models, sources, snapshots, seeds): one that needs
  more does several things and is split (dbt-project-evaluator's advice);
- a macro is at most `max_lines` lines long, from `{% macro` to `{% endmacro %}`: a longer one
  does several things and is split into named helper macros.

A primary_key constraint alone is no key test: neither dbt-athena nor the trusted zone's Iceberg
tables enforce one. (The built-in has_uniqueness_test checks that a declared one has its test.)
"""

# No `from __future__ import annotations`: dbt-score reads the rule functions' annotations as types.
from dbt_score import Macro, Model, RuleViolation, Severity, Source, rule

KEY_TESTS = frozenset({"unique", "unique_combination_of_columns", "dbt_utils.unique_combination_of_columns"})


def _zone(model: Model) -> str:
    """The folder right under models/ that the model is in: its zone (dbt_project.yml)."""
    parts = model.original_file_path.split("/")
    return parts[1] if len(parts) > 2 else ""


@rule(severity=Severity.HIGH)
def has_key_test(model: Model, keyless_paths: tuple[str, ...] = ()) -> RuleViolation | None:
    """A model has a key test: `unique` on a column or `unique_combination_of_columns`."""
    if any(model.original_file_path.startswith(path) for path in keyless_paths):
        return None
    tests = [*model.tests, *(test for column in model.columns for test in column.tests)]
    if not any(test.type in KEY_TESTS for test in tests):
        return RuleViolation("No key test: add `unique` to the key column or unique_combination_of_columns.")
    return None


@rule(severity=Severity.CRITICAL)
def contract_enforced_in_governed_zones(
    model: Model, zones: tuple[str, ...] = ("trusted", "curated", "quarantine", "audit")
) -> RuleViolation | None:
    """Models of the trusted, curated, quarantine and audit zones have an enforced contract (but for
    ephemeral ones: no relation, so nothing to contract)."""
    zone = _zone(model)
    if model.config.get("materialized") == "ephemeral":
        return None
    if zone in zones and not (model.config.get("contract") or {}).get("enforced"):
        return RuleViolation(f"A {zone} model without an enforced contract (contract: enforced: true).")
    return None


@rule(severity=Severity.HIGH)
def owner_is_a_team(model: Model, teams: tuple[str, ...] = ()) -> RuleViolation | None:
    """A model's owner (meta.owner) is one of the teams of .github/CODEOWNERS."""
    owner = model.meta.get("owner")
    if owner and teams and owner not in teams:
        return RuleViolation(f"Owner {owner!r} is none of the teams {', '.join(teams)}.")
    return None


# The zones in the order data flows through them; a model reads models of its zone or earlier ones.
# The privacy decisions sit with staging, which applies them as it reads the landing zone (the base
# models blank erased records, the ledgers withhold readings).
ZONE_ORDER = {
    "staging": 0,
    "privacy": 0,
    "intermediate": 1,
    "trusted": 2,
    "curated": 3,
    "quarantine": 4,
    "audit": 5,
}


@rule(severity=Severity.HIGH)
def zones_flow_one_way(model: Model, sources_read_anywhere: tuple[str, ...] = ()) -> RuleViolation | None:
    """Sources are read only in staging, and a model reads no model of a later zone."""
    zone = _zone(model)
    for parent in model.parents:
        if isinstance(parent, Source):
            if zone != "staging" and parent.name not in sources_read_anywhere:
                return RuleViolation(f"A {zone} model reads the source {parent.name}: only staging may.")
        elif isinstance(parent, Model) and ZONE_ORDER.get(_zone(parent), 0) > ZONE_ORDER.get(zone, 0):
            return RuleViolation(f"A {zone} model reads {parent.name} of the later zone {_zone(parent)}.")
    return None


@rule(severity=Severity.MEDIUM)
def at_most_max_parents(model: Model, max_parents: int = 6) -> RuleViolation | None:
    """A model has at most `max_parents` parents: one that needs more does several things."""
    parents = sorted(set(model.depends_on.get("nodes", [])))
    if len(parents) > max_parents:
        return RuleViolation(f"{len(parents)} parents (at most {max_parents}): split it.")
    return None


@rule(severity=Severity.MEDIUM)
def macro_has_at_most_max_lines(macro: Macro, max_lines: int = 40) -> RuleViolation | None:
    """A macro is at most `max_lines` lines, `{% macro` to `{% endmacro %}`: a longer one does two things."""
    lines = len(macro.macro_sql.splitlines())
    if lines > max_lines:
        return RuleViolation(f"{lines} lines (at most {max_lines}): split it into named helper macros.")
    return None
