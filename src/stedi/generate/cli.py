"""`stedi generate`: its options, their checks, and the line it prints (the work is in run.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from stedi.generate.defects import DEFECTS, MIN_CUSTOMERS
from stedi.generate.run import MANIFEST, generate, prepare_out
from stedi.generate.world import Settings


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
