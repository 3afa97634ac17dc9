"""The sections read from dbt's artifacts of the build (run_results.json, manifest.json,
sources.json) and the project (dbt_project.yml, its git checkout): the consent policy in
force, the test results, the freshness of the sources, and the build's time and version."""

from __future__ import annotations

import json
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

from stedi.report.model import Missing, Report, Section, number

FAILED_STATUSES = {"error", "fail", "warn", "runtime error", "skipped"}


def read_json(path: Path, report: Report) -> dict | None:
    if not path.exists():
        report.missing.append(f"artifact {path} (not found)")
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        report.missing.append(f"artifact {path} (unreadable: {error})")
        return None


def project_default_policy(project_dir: Path) -> str | None:
    try:
        import yaml

        return (
            (yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {})
            .get("vars", {})
            .get("consent_policy")
        )
    except Exception:  # the report must still write
        return None


def project_version(project_dir: Path) -> str:
    try:
        import yaml

        return str(
            (yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}).get("version", "unknown")
        )
    except Exception:
        return "unknown (dbt_project.yml unreadable)"


def git_commit(project_dir: Path) -> str:
    """The checkout's commit (with ' + uncommitted changes'), or why there is none; never fails."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(project_dir), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return "unknown (not a git checkout)"
        dirty = subprocess.run(
            ["git", "-C", str(project_dir), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return commit.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"


def policy_section(run_results: dict | None, project_dir: Path, report: Report) -> Section:
    section = Section("Consent policy in force")
    default = project_default_policy(project_dir)
    passed = ((run_results or {}).get("args") or {}).get("vars") or {}
    if run_results is None:
        policy, source = "unknown", "run_results.json is missing"
    elif "consent_policy" in passed:
        policy, source = str(passed["consent_policy"]), "--vars of the build (run_results.json args.vars)"
    else:
        policy, source = str(default), "the project's default (dbt_project.yml vars; the build set none)"
    report.facts["consent policy"] = policy
    explained = {
        "as_of_consent": "a reading counts only if taken at or after the customer's research consent",
        "any_time": "every reading of a customer who consents counts, whenever it was taken",
    }
    section.intro = f"{explained.get(policy, 'not a policy the project knows')}."
    section.tables.append(
        ("Policy", ("consent policy", "from", "project default"), [[policy, source, str(default)]])
    )
    return section


def resource_type(unique_id: str) -> str:
    return unique_id.split(".", 1)[0]


def tests_section(run_results: dict | None) -> Section:
    section = Section(
        "Test results", "Status of every node of the build, per resource type (run_results.json)."
    )
    if run_results is None:
        raise Missing("run_results.json")
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    problems = []
    for result in run_results.get("results", []):
        kind = resource_type(result.get("unique_id", "?"))
        status = str(result.get("status"))
        counts[kind][status] += 1
        if status in FAILED_STATUSES:
            message = " ".join(str(result.get("message") or "").split())[:300]
            problems.append([result.get("unique_id", "?"), status, number(result.get("failures")), message])
    statuses = sorted({status for kinds in counts.values() for status in kinds})
    rows = [
        [kind, *[counts[kind][s] for s in statuses], sum(counts[kind].values())] for kind in sorted(counts)
    ]
    section.tables.append(("Nodes by resource type and status", ("resource type", *statuses, "total"), rows))
    section.tables.append(
        (
            "Failures, errors, warnings and skips"
            if problems
            else "Failures, errors, warnings and skips: none",
            ("node", "status", "failures", "message"),
            problems,
        )
    )
    return section


def freshness_section(sources: dict | None, sources_path: Path) -> Section:
    section = Section("Source freshness", "`dbt source freshness` (sources.json).")
    if sources is None:
        section.notes.append(f"not run: {sources_path} is not there (run `dbt source freshness` to write it)")
        return section
    rows = [
        [
            result.get("unique_id", "?").removeprefix("source."),
            result.get("status"),
            result.get("max_loaded_at"),
            f"{float(result.get('max_loaded_at_time_ago_in_s') or 0) / 86400:.1f}",
        ]
        for result in sources.get("results", [])
    ]
    section.intro += f" Checked {sources.get('metadata', {}).get('generated_at', '?')}."
    section.tables.append(("Freshness per source", ("source", "status", "newest record", "age (days)"), rows))
    return section


def build_section(
    run_results: dict | None, manifest: dict | None, project_dir: Path, report: Report
) -> Section:
    section = Section("Build")
    metadata = (run_results or {}).get("metadata") or (manifest or {}).get("metadata") or {}
    args = (run_results or {}).get("args") or {}
    facts = [
        ("command", args.get("invocation_command", "unknown")),
        ("started", metadata.get("invocation_started_at", "unknown")),
        ("finished", (run_results or {}).get("metadata", {}).get("generated_at", "unknown")),
        ("elapsed (s)", f"{float(run_results['elapsed_time']):.1f}" if run_results else "unknown"),
        ("dbt version", metadata.get("dbt_version", "unknown")),
        ("adapter", (manifest or {}).get("metadata", {}).get("adapter_type", "unknown")),
        ("project version", project_version(project_dir)),
        ("git commit", git_commit(project_dir)),
        ("invocation id", metadata.get("invocation_id", "unknown")),
    ]
    report.facts.update({name: str(value) for name, value in facts if name in ("finished", "git commit")})
    section.tables.append(("Build", ("", ""), [[name, str(value)] for name, value in facts]))
    return section
