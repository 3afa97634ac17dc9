"""Tooling for the STEDI lakehouse: landing-data generator, S3/Glue landing, Athena emulator."""

__version__ = "0.1.0"
