"""Staging lives only in a run (``warehouse.attach_staging``): never written to the warehouse file, staged again from
the kept raw payloads when a step that reads it rebuilds, and never staged just to decide that a step can be kept
(``reuse.staged_digest``, table ``staged_digest``)."""

from __future__ import annotations

import duckdb

from tests import cliproc
from tests.test_reuse import contents, last_run, reused

STAGED_AGAIN = "current batch again"  # stages/staging.ensure_staged's progress line


def schemas(home) -> set[tuple[str, str]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return set(con.execute("SELECT DISTINCT schema_name, table_name FROM duckdb_tables()").fetchall())


def test_the_warehouse_keeps_no_staging_tables_only_what_they_held(baseline_home):
    tables = schemas(baseline_home)
    assert not {t for t in tables if t[0] != "main"}, tables
    with duckdb.connect(str(baseline_home / "warehouse.duckdb"), read_only=True) as con:
        remembered = con.execute("SELECT source, query FROM staged_digest").fetchall()
    # what the entity step reads of each source's staging (its names); a whole table is digested as its payloads
    assert {s for s, _ in remembered} == {"sipri", "unoda", "wikidata", "sipri_tiv"}
    assert all(q.startswith("SELECT") and "staging." in q for _, q in remembered)


def test_a_run_that_keeps_the_steps_stages_nothing_it_did_not_load(published_home):
    r = cliproc.in_process(published_home, "refresh", "--replay", "--source", "unoda", "--no-contracts")
    assert r.returncode == 0, r.stderr
    assert STAGED_AGAIN not in r.stderr
    assert {"entity", "deal", "membership"} <= reused(last_run(published_home))


def test_a_step_that_rebuilds_stages_its_sources_again_and_builds_what_it_built(published_home):
    before = contents(published_home)
    r = cliproc.in_process(published_home, "refresh", "--force", "--no-contracts")
    assert r.returncode == 0, r.stderr
    for source in ("sipri", "unoda", "wikidata", "sipri_tiv"):
        assert f"staged {source}'s {STAGED_AGAIN}" in r.stderr
    assert contents(published_home) == before


def test_without_remembered_digests_a_run_stages_again_and_still_keeps_what_is_unchanged(published_home):
    """A warehouse whose staged digests are missing (written before them, say): the run stages what the steps it
    must decide about read, finds the same contents, and keeps them."""
    with duckdb.connect(str(published_home / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM staged_digest")
    r = cliproc.in_process(published_home, "refresh", "--replay", "--source", "unoda", "--no-contracts")
    assert r.returncode == 0, r.stderr
    assert f"staged sipri's {STAGED_AGAIN}" in r.stderr
    assert {"entity", "deal", "membership"} <= reused(last_run(published_home))


def test_a_warehouse_with_a_staging_schema_loses_it(published_home):
    """Warehouses written by earlier armsflow kept staging in the file; DuckDB finds a schema and a database both
    named staging ambiguous, so the build drops the schema before attaching the run's staging."""
    with duckdb.connect(str(published_home / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA staging")
        con.execute("CREATE TABLE staging.sipri_trade AS SELECT 1 AS line_no")
    r = cliproc.in_process(published_home, "refresh", "--replay", "--source", "sipri", "--no-contracts")
    assert r.returncode == 0, r.stderr
    assert not {t for t in schemas(published_home) if t[0] != "main"}
