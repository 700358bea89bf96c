"""The Dagster code location (all Dagster code lives here; ``pipelines`` never imports Dagster)."""
