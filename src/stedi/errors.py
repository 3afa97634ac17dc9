"""How every `stedi` command refuses: one line on stderr, exit status 2, nothing written."""

from __future__ import annotations

import click


class UsageProblem(click.ClickException):
    """A bad argument or a path a command cannot use (exit status 2, as click's usage errors)."""

    exit_code = 2
