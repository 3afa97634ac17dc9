"""A local Athena for the STEDI lakehouse's tests: Athena engine v3's own engine, Trino, behind
Athena's API, over emulated Glue and S3 (moto), all on 127.0.0.1.

``dbt build --target athena`` runs against it with no AWS account: every query dbt-athena sends is
run by Trino 476's Hive and Iceberg connectors, with only what Athena itself does before its engine
(Hive DDL into Glue, Athena's table properties, the choice of the Iceberg or Hive catalog) done
here. README.md beside the package says what this proves and what only AWS proves.
"""

from athena_local.server import AthenaLocal
from athena_local.trino_dist import TRINO_VERSION

__all__ = ["TRINO_VERSION", "AthenaLocal"]
