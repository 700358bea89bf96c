"""DuckDB's thread count for a run: one thread while every table is small, DuckDB's default once any is large; two
steps side by side below a few million rows, one at a time above (peak memory)."""

from __future__ import annotations

import duckdb

from pipelines.warehouse import (
    ONE_THREAD_BELOW_ROWS,
    TWO_STEPS_BELOW_ROWS,
    connect,
    fit_threads,
    held,
    released,
    steps_at_once,
)


def _threads(path) -> int:
    with connect(path) as con:
        return con.execute("SELECT current_setting('threads')").fetchone()[0]


def _default_threads() -> int:
    return duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]


def test_a_small_build_runs_on_one_thread_even_after_it_was_released(tmp_path):
    path = tmp_path / "build.duckdb"
    with held(path):
        with connect(path) as con:
            con.execute("CREATE TABLE deal AS SELECT range AS deal_id FROM range(1000)")
        assert fit_threads(path, incoming_rows=30_000) == 1
        assert _threads(path) == 1
        with released(path):  # the contract worker's turn: the file is closed, then opened again
            pass
        assert _threads(path) == 1
    with held(path):  # a new run starts from DuckDB's default again
        assert _threads(path) == _default_threads()


def test_a_large_table_or_a_large_import_keeps_every_thread(tmp_path):
    path = tmp_path / "build.duckdb"
    with held(path):
        assert fit_threads(path, incoming_rows=ONE_THREAD_BELOW_ROWS) is None
        assert _threads(path) == _default_threads()
        with connect(path) as con:
            con.execute(f"CREATE TABLE delivery AS SELECT range AS deal_id FROM range({ONE_THREAD_BELOW_ROWS})")
        assert fit_threads(path, incoming_rows=0) is None
        assert _threads(path) == _default_threads()


def test_two_steps_at_once_below_a_few_million_rows_one_above(tmp_path):
    path = tmp_path / "build.duckdb"
    with held(path):
        with connect(path) as con:
            con.execute(f"CREATE TABLE deal AS SELECT range AS deal_id FROM range({ONE_THREAD_BELOW_ROWS})")
        assert steps_at_once(path, incoming_rows=0) == 2  # every thread, and two steps
        assert steps_at_once(path, incoming_rows=TWO_STEPS_BELOW_ROWS) == 1  # a large import
        with connect(path) as con:
            con.execute(f"CREATE TABLE delivery AS SELECT range AS deal_id FROM range({TWO_STEPS_BELOW_ROWS})")
        assert steps_at_once(path, incoming_rows=0) == 1  # a large warehouse, whatever the run brings
