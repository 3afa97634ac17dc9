"""Lake Formation's GetResourceLFTags answered as AWS answers it.

moto 5.2 raises KeyError (an HTTP 500) when asked for the tags of a database or table that has
none, and leaves out the column tags when asked about a table. AWS answers with empty lists and,
for a table, with the tags of its columns too. dbt-athena's add_lf_tags (called by the project's
PII-registry post-hook) asks exactly that before tagging a table, so the local endpoint corrects
moto's backend in place.
"""

from __future__ import annotations

from typing import Any

from moto.lakeformation.models import LakeFormationBackend

_PATCHED = "_stedi_answers_like_aws"


def _get_resource_lf_tags(
    self: LakeFormationBackend, catalog_id: str, resource: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    database_tags: list[dict[str, Any]] = []
    table_tags: list[dict[str, Any]] = []
    column_tags: list[dict[str, Any]] = []
    if "Database" in resource:
        database = resource["Database"]
        key = (database.get("CatalogId", self.account_id), database["Name"])
        database_tags = self.lf_database_tags.get(key, [])
    if "Table" in resource:
        table = resource["Table"]
        key = (table.get("CatalogId", self.account_id), table["DatabaseName"], table["Name"])
        table_tags = self.lf_table_tags.get(key, [])
        column_tags = [
            {"Name": column_key[3], "LFTags": tags}
            for column_key, tags in self.lf_columns_tags.items()
            if column_key[:3] == key and tags
        ]
    if "TableWithColumns" in resource:
        table = resource["TableWithColumns"]
        key = (table.get("CatalogId", self.account_id), table["DatabaseName"], table["Name"])
        column_tags = [
            {"Name": column, "LFTags": self.lf_columns_tags[(*key, column)]}
            for column in table["ColumnNames"]
            if self.lf_columns_tags.get((*key, column))
        ]
    return database_tags, table_tags, column_tags


def answer_lf_tags_like_aws() -> None:
    """Replace moto's GetResourceLFTags (once per process)."""
    if not getattr(LakeFormationBackend, _PATCHED, False):
        LakeFormationBackend.get_resource_lf_tags = _get_resource_lf_tags  # type: ignore[method-assign]
        setattr(LakeFormationBackend, _PATCHED, True)
