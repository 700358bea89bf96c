"""How a build file is written: a run rewrites only what it changed (DuckDB's checkpoint vacuum is off)."""

from __future__ import annotations

import duckdb

from pipelines.warehouse import connect


def _row_groups(path, table: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('{table}')").fetchone()[0]


def test_a_run_leaves_the_row_groups_of_tables_it_did_not_touch_as_they_are(tmp_path):
    """Each release appends its new deal versions as row groups of their own; DuckDB's checkpoint vacuum would
    merge such partial row groups at the next run's close, rewriting the table though nothing in it changed
    (0.8 s of a 10x import, paid again by the run after it)."""
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("SET max_vacuum_tasks = 0")  # the layout a run leaves: one row group per release
        con.execute("CREATE TABLE deal_version AS SELECT range AS deal_key FROM range(1000)")
        con.execute("CHECKPOINT")
        con.execute("INSERT INTO deal_version SELECT range + 1000 FROM range(1000)")  # a later release's versions
    assert _row_groups(path, "deal_version") == 2
    with connect(path) as con:  # a run that writes something else
        con.execute("CREATE TABLE mart_country_year AS SELECT 1 AS n")
    assert _row_groups(path, "deal_version") == 2
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT deal_key) FROM deal_version").fetchone() == (2000, 2000)
