"""`stedi generate`: landing data of the real STEDI shape, its defects on request, and its ground truth.

The steps, one module each: decide a clean world (generator_world), add the requested defects
(generator_defects), lay it out as files (generator_files), count what the pipeline's rules make
of it (generator_truth), then write the files and DIR/ground_truth.json.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import click

from stedi.contract import ENTITIES
from stedi.errors import UsageProblem
from stedi.generator_defects import DEFECTS, MIN_CUSTOMERS, inject_defects
from stedi.generator_files import plan_layout, write_layout
from stedi.generator_truth import ground_truth
from stedi.generator_world import Settings, build_world

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


def parse_defects(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    """'all', 'none' or a comma-separated list of defect names, returned in application order."""
    names = {name.strip() for name in value.split(",") if name.strip()}
    if names == {"all"}:
        return tuple(DEFECTS)
    names.discard("none")
    unknown = sorted(names - DEFECTS.keys())
    if unknown:
        raise click.BadParameter(
            f"unknown {', '.join(unknown)}; use all, none or some of: {', '.join(DEFECTS)}"
        )
    return tuple(name for name in DEFECTS if name in names)


@click.command("generate")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Landing root to write (customer/, accelerometer/, step_trainer/, ground_truth.json).",
)
@click.option("--customers", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--instants-per-customer", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option(
    "--defects",
    default="none",
    show_default=True,
    callback=parse_defects,
    help=f"all, none, or a comma-separated list of: {', '.join(DEFECTS)}.",
)
@click.option(
    "--end-date", type=click.DateTime(formats=["%Y-%m-%d"]), default="2022-06-30", show_default=True
)
@click.option(
    "--files", type=click.IntRange(min=1), default=4, show_default=True, help="Files per reading entity."
)
@click.option(
    "--reading-days",
    type=click.IntRange(min=11),
    default=30,
    show_default=True,
    help="Days up to --end-date over which the app and device readings fall.",
)
@click.option("--force", is_flag=True, help="Replace the landing data of a non-empty --out.")
def generate_command(
    out: Path,
    customers: int,
    instants_per_customer: int,
    seed: int,
    defects: tuple[str, ...],
    end_date: datetime,
    files: int,
    reading_days: int,
    force: bool,
) -> None:
    """Generate STEDI landing data of the real shape, and its ground truth (DIR/ground_truth.json)."""
    if defects and customers < MIN_CUSTOMERS:
        raise click.BadParameter(f"defects need at least {MIN_CUSTOMERS} customers", param_hint="--customers")
    prepare_out(out, force)
    settings = Settings(
        customers=customers,
        instants_per_customer=instants_per_customer,
        seed=seed,
        defects=defects,
        end_date=end_date.date(),
        files=files,
        reading_days=reading_days,
    )
    manifest = generate(settings, out)
    counts = ", ".join(f"{count} {entity}" for entity, count in manifest["landing_records"].items())
    click.echo(f"Wrote {counts} landing lines to {out}; ground truth in {out / MANIFEST}")
