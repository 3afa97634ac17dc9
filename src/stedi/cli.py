"""The `stedi` command: one entry point for the lakehouse's Python tooling."""

from __future__ import annotations

from typing import Any

import click
import duckdb

from stedi.errors import UsageProblem
from stedi.generate import generate_command
from stedi.land import land_command
from stedi.report import report_command
from stedi.subject_key import subject_key_command
from stedi.summary import summary_command


class StediGroup(click.Group):
    """Every command answers a path it cannot use with one line and exit status 2, never a
    traceback: what the operating system or DuckDB says about the path, and the path."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise UsageProblem(f"{where}{error.strerror or error}") from error
        except duckdb.Error as error:
            raise UsageProblem(str(error).splitlines()[0]) from error


@click.group(cls=StediGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stedi")
def main() -> None:
    """Tooling for the STEDI lakehouse (the dbt project does the transformations)."""


main.add_command(generate_command)
main.add_command(land_command)
main.add_command(report_command)
main.add_command(subject_key_command)
main.add_command(summary_command)


if __name__ == "__main__":
    main(prog_name="stedi")
