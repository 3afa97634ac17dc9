"""The `stedi` command: one entry point for the lakehouse's Python tooling."""

from __future__ import annotations

import click

from stedi.generator import generate_command
from stedi.land import land_command
from stedi.report import report_command
from stedi.subject_key import subject_key_command
from stedi.summary import summary_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
