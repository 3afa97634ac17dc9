"""An offline Athena: moto's S3/Glue/STS/Athena on 127.0.0.1 with queries executed in DuckDB.

``dbt build --target athena`` runs end to end against it with no AWS account and no network.
README.md beside this file explains the design (Glue as the only catalog, rows of created tables
held in DuckDB and owned by their Glue entries, external tables read from S3 on every statement),
lists the AWS API calls a dbt-athena build makes, the Athena semantics kept where DuckDB differs,
and what only real Athena can prove.
"""

from stedi.athena_emulator.server import AthenaEmulator

__all__ = ["AthenaEmulator"]
