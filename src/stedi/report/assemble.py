"""The report assembled: every section in the page's order; a missing table or artifact, or a
query that fails, becomes a line of `Report.missing` and the page is still written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from stedi.report.artifacts import build_section, freshness_section, policy_section, read_json, tests_section
from stedi.report.lake import Lake
from stedi.report.lake_sections import LAKE_SECTIONS
from stedi.report.model import Missing, Report, Section


def build_report(lake: Lake | None, target_path: Path, project_dir: Path, lake_problem: str = "") -> Report:
    """Every section; a missing table or artifact becomes a line of `report.missing`."""
    report = Report(engine=lake.engine if lake else "none")
    run_results = read_json(target_path / "run_results.json", report)
    manifest = read_json(target_path / "manifest.json", report)
    sources_path = target_path / "sources.json"
    sources = json.loads(sources_path.read_text()) if sources_path.exists() else None

    def add(make: Callable[[], Section], title: str) -> None:
        try:
            report.sections.append(make())
        except Missing as missing:
            report.missing.append(f"{title}: needs {missing}")
        except Exception as error:  # a query that fails is reported, the page still written
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
            report.missing.append(f"{title}: {type(error).__name__}: {first_line}")

    report.sections.append(policy_section(run_results, project_dir, report))
    if lake is None:
        report.missing.append(f"the lake: {lake_problem}")
    else:
        try:
            existing = lake.existing_tables()
        except Exception as error:
            existing = set()
            report.missing.append(f"the lake's table list: {type(error).__name__}: {str(error)[:300]}")
        for make in LAKE_SECTIONS:
            title = make.__name__.removesuffix("_section").replace("_", " ")
            add(lambda make=make: make(lake, existing), title)
    add(lambda: tests_section(run_results), "test results")
    add(lambda: freshness_section(sources, sources_path), "freshness")
    add(lambda: build_section(run_results, manifest, project_dir, report), "build")
    return report
