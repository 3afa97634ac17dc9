"""``python -m stedi.athena_emulator --port N``: run the emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import threading

import click

from stedi.athena_emulator.server import AthenaEmulator


@click.command()
@click.option("--port", default=5000, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
def main(port: int) -> None:
    """Serve S3, Glue, STS and Athena (queries executed in DuckDB) on 127.0.0.1."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with AthenaEmulator(port=port) as emulator:
        url = emulator.endpoint_url
        click.echo(f"Athena emulator on {url}")
        click.echo(f"  export AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing")
        click.echo("  export AWS_REGION=us-east-1   (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
    click.echo("stopped")


if __name__ == "__main__":
    main()
