"""armsflow: arms transfers joined to treaty and alliance status over time, in one DuckDB warehouse.

The package is the Dagster code location (``pipelines.definitions``) and the CLI (``pipelines.cli``).
Pure source adapters live in ``pipelines.sources``; SQL in ``sql/``; contracts and curated facts in
``data_contracts/``.
"""
