"""``athena-local --port N``: the local Athena in the foreground on 127.0.0.1 until Ctrl-C / SIGTERM.

``athena-local install`` only fetches the pinned Trino (once; later calls find it installed).
"""

from __future__ import annotations

import signal
import sys
import threading

import boto3
import click

from athena_local.server import AthenaLocal
from athena_local.trino_dist import TRINO_VERSION, InstallError, default_home, install

REGION = "us-east-1"


@click.group(invoke_without_command=True)
@click.option(
    "--port", default=5000, show_default=True, help="Port of the AWS endpoint on 127.0.0.1 (0: any)."
)
@click.option("--bucket", default="stedi-lake", show_default=True, help="Bucket to create for the lake.")
@click.pass_context
def main(context: click.Context, port: int, bucket: str) -> None:
    """Serve S3, Glue, STS and Athena (queries run by Trino) on 127.0.0.1."""
    if context.invoked_subcommand is not None:
        return
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    athena = AthenaLocal(port=port)
    click.echo(f"starting the local Athena (Trino {TRINO_VERSION}) on 127.0.0.1:{port} ...")
    try:
        athena.start()
    except (InstallError, RuntimeError) as failure:
        raise click.ClickException(str(failure)) from None
    try:
        url = athena.endpoint_url
        boto3.client(
            "s3",
            endpoint_url=url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=bucket)
        click.echo(
            f"ready in {athena.startup_seconds:.1f} s: AWS endpoint {url}, "
            f"Trino on 127.0.0.1:{athena.trino_port}"
        )
        click.echo("In another shell, point boto3, `stedi land` and the athena target at it:")
        click.echo(f"  export AWS_ENDPOINT_URL={url} AWS_REGION={REGION} AWS_DEFAULT_REGION={REGION}")
        click.echo(
            "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true"
        )
        click.echo(f"  export STEDI_TARGET=athena STEDI_S3_STAGING_DIR=s3://{bucket}/athena-results/")
        click.echo(f"  export STEDI_S3_DATA_DIR=s3://{bucket}/lakehouse/")
        click.echo(f"and give the lake a subject key once: stedi subject-key --bucket {bucket}")
        click.echo("Ctrl-C stops it.")
        sys.stdout.flush()
        stopped.wait()
    finally:
        click.echo("stopping ...")
        athena.stop()
        click.echo("stopped")


@main.command("install")
def install_command() -> None:
    """Fetch the pinned Trino distribution with mvn (once) into ATHENA_LOCAL_HOME or .athena-local/."""
    try:
        path = install(default_home(), log=click.echo)
    except InstallError as failure:
        raise click.ClickException(str(failure)) from None
    click.echo(f"Trino {TRINO_VERSION}: {path}")


if __name__ == "__main__":
    main()
