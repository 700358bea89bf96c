"""The run's per-step overhead cuts keep their promises: one held build database, grouped writes that are all or
nothing, and a contract worker that answers exactly as the in-process validation does."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.warehouse import connect, held, released, replace_table, transaction


def test_a_held_build_is_one_database_and_closed_after(tmp_path):
    path = tmp_path / "build.duckdb"
    with held(path):
        with connect(path) as a:
            a.execute("CREATE TABLE t AS SELECT 1 AS n")
        with connect(path) as b:  # a cursor on the same database: sees what the first one wrote
            assert b.execute("SELECT n FROM t").fetchall() == [(1,)]
        with released(path):  # closed meanwhile: another reader may open the file
            with duckdb.connect(str(path), read_only=True) as reader:
                assert reader.execute("SELECT n FROM t").fetchall() == [(1,)]
        with connect(path) as c:  # held again after
            c.execute("INSERT INTO t VALUES (2)")
    assert not (tmp_path / "build.duckdb.wal").exists()  # checkpointed on close
    with duckdb.connect(str(path), read_only=True) as reader:
        assert reader.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_grouped_writes_are_all_or_nothing(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        replace_table(con, "treaty_action", pl.DataFrame())  # the DDL and its comments, one commit
        con.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
        con.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(duckdb.ConstraintException), transaction(con):
            con.execute("DELETE FROM t")
            with transaction(con):  # nested: joins the outer one
                con.execute("INSERT INTO t VALUES (2), (2)")
        assert con.execute("SELECT n FROM t").fetchall() == [(1,)]  # the delete was rolled back too
        with transaction(con):
            con.execute("INSERT INTO t VALUES (3)")
        assert con.execute("SELECT count(*) FROM t").fetchone() == (2,)
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'treaty_action'").fetchone()[0]


@pytest.mark.integration
def test_deferred_modules_load_when_used(gx_answers):
    """GX imports with scipy.stats and altair deferred; both still work when something uses them (in a fresh process
    that then validates for other tests: tests/gx_process.py)."""
    assert gx_answers["deferred"] == {"scipy.stats": "_Deferred", "altair": "_Deferred"}
    assert gx_answers["used"] == {"scipy.stats": True, "altair": True}
