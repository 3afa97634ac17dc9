"""The STEDI project's own dbt-score rules (dbt-score finds this package by its default namespace
`dbt_score_rules`, the project root being on its Python path). Configured in pyproject.toml,
[tool.dbt-score]; `make conventions` parses the project and scores it."""
