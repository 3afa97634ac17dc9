"""One run of the generator: its steps in order, the landing files and DIR/ground_truth.json.

The steps, one module each: decide a clean world (world), add the requested defects (defects),
lay it out as files (files), count what the pipeline's rules make of it (truth), then write the
files and the manifest.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from stedi.contract import ENTITIES
from stedi.errors import UsageProblem
from stedi.generate.defects import inject_defects
from stedi.generate.files import plan_layout, write_layout
from stedi.generate.truth import ground_truth
from stedi.generate.world import Settings, build_world

MANIFEST = "ground_truth.json"


class OutputNotEmptyError(UsageProblem):
    """Refusing to mix new landing data with old files: a usage error, exit code 2."""


def generate(settings: Settings, out: Path) -> dict[str, object]:
    """Write the landing files and the manifest under `out` (created if missing); return the manifest."""
    world = build_world(settings)
    inject_defects(world)
    layout = plan_layout(world)
    manifest = {"generator": describe(settings), **ground_truth(world, layout)}
    write_layout(layout, out)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def describe(settings: Settings) -> dict[str, object]:
    return {
        "seed": settings.seed,
        "customers": settings.customers,
        "instants_per_customer": settings.instants_per_customer,
        "defects": list(settings.defects),
        "end_date": settings.end_date.isoformat(),
        "files": settings.files,
        "reading_days": settings.reading_days,
    }


def prepare_out(out: Path, force: bool) -> None:
    """Refuse a non-empty `out` unless forced; forced, remove only what a previous run wrote."""
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise OutputNotEmptyError(f"{out} is not empty; pass --force to replace its landing data")
        for entity in ENTITIES:
            shutil.rmtree(out / entity.prefix, ignore_errors=True)
        (out / MANIFEST).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
