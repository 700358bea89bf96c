"""Data contracts: one Great Expectations suite per table (``data_contracts/suites/<table>.json``).

Suites are GX 1.x suite JSON run with GX Core directly on an ephemeral context (``dagster-ge`` does not
support GX 1.x). GX validates through its SQL datasource over the open DuckDB connection (``gx_duckdb``), so
every metric is a query DuckDB answers; no table is copied into pandas. Only the tables a run rebuilt need be
validated (``tables=``); GX is imported only when contracts run.
Measured in-process on the warehouse built from the full legacy export (29,515 deals), 2 cores shared with
other jobs (load average 10-15, so CPU seconds are the stable figure): the 15 suites took 3.5 s CPU and 502 MB
peak RSS with the old pandas route, 2.0 s CPU and 334 MB through the SQL datasource, same 16/16 outcomes.
``import great_expectations`` alone cost 4.3-4.9 s CPU and 260 MB RSS then (its expectation registry loads
every expectation class, scipy included), either way. Since then (measured in the contract worker at load
average 5-8, GX 1.24.1, DuckDB 1.5): its import is 1.4-1.8 s CPU (scipy.stats and altair deferred, the garbage
collector off during it: 0.2 s less, ``contract_worker.main``), and validating the 15 suites on that warehouse
0.65-0.75 s CPU (a failed catalog reflection is not re-run per table, queries run without transactions: see
``gx_duckdb``), which the worker spreads over two processes (``contract_worker.validate_split``). What the
import still spends (``-X importtime``, self time): GX's fluent datasources for pandas, Spark and the other SQL
backends about a fifth, the expectation classes a seventh, SQLAlchemy an eighth, pandas a twelfth. Each is
imported with ``from ... import`` by a module GX needs, at import time, so a lazy stand-in (as for scipy.stats)
would be resolved at once; leaving them out would take fake classes in GX's datasource registry: not done.

Two additions GX lacks are resolved here before validation:
- ``"${current_year}"`` in kwargs becomes this year; ISO date strings in min/max become ``datetime.date``;
- ``meta.min_fraction_of_previous`` on ``expect_table_row_count_to_be_between`` sets ``min_value`` from the row
  count of the previously published warehouse, so a refresh that loses most of a table cannot publish.
An expectation whose ``meta.severity`` is ``warn`` reports without blocking.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import math
import os
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from .checks import SAMPLE_ROWS, Outcome, latest_checked_run
from .config import CONTRACTS_DIR

SUITES_DIR = CONTRACTS_DIR / "suites"
_RUNS = itertools.count()
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def suite_files() -> list[Path]:
    return sorted(SUITES_DIR.glob("*.json"))


def load_suite(path: Path) -> dict:
    suite = json.loads(path.read_text(encoding="utf-8"))
    meta = suite.setdefault("meta", {})
    meta.setdefault("table", path.stem)
    meta.setdefault("asset", path.stem)
    return suite


def _context():
    return _build_context()


@lru_cache(maxsize=1)
def _build_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from .lean import allow_pandas

    allow_pandas()  # GX needs pandas: a run command marked it not importable (pipelines/lean.py)
    import great_expectations as gx
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    if isinstance(ctx, EphemeralDataContext) and hasattr(ctx, "_save_project_config"):
        # An ephemeral context "saves" its whole project config after every datasource, asset and batch definition
        # added or removed: it renders the config to YAML for an in-memory store that nothing reads back. With
        # one asset per suite that grows quadratically and was a third of the validation time; skip it.
        ctx._save_project_config = lambda: None
    return ctx


DEFERRED_MODULES = ("scipy.stats", "altair")  # imported by GX expectations our suites do not use


class _Deferred(types.ModuleType):
    """Stands in for a module until an attribute is read; then imports the real one and hands that out."""

    def __getattr__(self, attr: str):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if parent and getattr(sys.modules.get(parent), child, None) is self:
            delattr(sys.modules[parent], child)
        real = importlib.import_module(name)
        self.__dict__["_real"] = real
        return getattr(real, attr)


def defer_unused_imports() -> None:
    """Before importing GX in a process that only validates: ``import great_expectations`` loads every
    expectation class, and one (the KL-divergence expectation, unused by the suites here) imports scipy.stats and
    altair at module level, about a quarter of the import's CPU. They become stand-ins that import the real module
    when first used, so an expectation that does use them still works unchanged."""
    for name in DEFERRED_MODULES:
        if name in sys.modules or importlib.util.find_spec(name) is None:
            continue
        stand_in = _Deferred(name)
        sys.modules[name] = stand_in
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, stand_in)


def _resolve(expectation: dict, previous: int | None) -> dict | None:
    kwargs = dict(expectation.get("kwargs", {}))
    meta = expectation.get("meta", {})
    for key, value in kwargs.items():
        if value == "${current_year}":
            kwargs[key] = datetime.now(UTC).year
        elif isinstance(value, str) and ISO_DATE.match(value) and key in ("min_value", "max_value"):
            kwargs[key] = date.fromisoformat(value)
    if "min_fraction_of_previous" in meta:
        if previous is None:
            return None  # first load: nothing to compare with
        kwargs["min_value"] = math.floor(previous * float(meta["min_fraction_of_previous"]))
    return {"type": expectation["type"], "kwargs": kwargs, "meta": meta}


def _describe(r) -> str:
    cfg = r.expectation_config
    args = ", ".join(f"{k}={v}" for k, v in cfg.kwargs.items() if k not in ("batch_id", "result_format"))
    res = r.result or {}
    if r.exception_info and r.exception_info.get("raised_exception"):
        found = f"could not run: {r.exception_info.get('exception_message')}"
    elif res.get("unexpected_count") is not None:
        sample = ", ".join(str(v) for v in (res.get("partial_unexpected_list") or [])[:SAMPLE_ROWS])
        found = f"{res['unexpected_count']} row(s) do not, e.g. {sample}"
    else:
        found = f"observed {res.get('observed_value')}"
    return f"{cfg.type}({args}): {found}"


@contextmanager
def _sql_source(con) -> Iterator:
    """A GX SQL datasource over the open DuckDB connection, removed again afterwards."""
    from .gx_duckdb import URL, engine_kwargs

    ctx = _context()
    kwargs, cursor = engine_kwargs(con)
    name = f"armsflow_{next(_RUNS)}"
    try:
        yield ctx.data_sources.add_sql(name, connection_string=URL, kwargs=kwargs)
    finally:
        if name in ctx.data_sources.all():
            ctx.data_sources.delete(name)
        cursor.close()


def _validate(source, suite: dict, previous: int | None) -> list[Outcome]:
    import great_expectations as gx

    table, asset = suite["meta"]["table"], suite["meta"]["asset"]
    name = f"contract_{table}"
    outcomes = []
    for severity in ("error", "warn"):
        chosen = [e for e in suite["expectations"] if e.get("meta", {}).get("severity", "error") == severity]
        resolved = [r for e in chosen if (r := _resolve(e, previous))]
        if not resolved:
            continue
        try:
            data_asset = source.get_asset(table)
        except LookupError:
            data_asset = source.add_table_asset(name=table, table_name=table)
        try:
            batch_def = data_asset.get_batch_definition("all")
        except KeyError:
            batch_def = data_asset.add_batch_definition_whole_table("all")
        batch = batch_def.get_batch()
        # Pass/fail first (no unexpected-value queries: ~30% less GX time); details only for a suite that failed.
        result = batch.validate(
            gx.ExpectationSuite(name=f"{name}_{severity}", expectations=resolved), result_format="BOOLEAN_ONLY"
        )
        if not result.success:
            result = batch.validate(gx.ExpectationSuite(name=f"{name}_{severity}", expectations=resolved))
        failed = [r for r in result.results if not r.success]
        check = name if severity == "error" else f"{name}_warnings"
        outcomes.append(
            Outcome(
                check,
                asset,
                "contract",
                severity,
                not failed,
                len(failed),
                " | ".join(_describe(r) for r in failed[:SAMPLE_ROWS]),
                f"{len(resolved)} expectations on table {table} ({severity})",
                "the table's contract is in data_contracts/suites/" + f"{table}.json",
            )
        )
    return outcomes


WARM_UP_SUITE = {
    "meta": {"table": "warm_up", "asset": "warm_up"},
    "expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["n", "s"]}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "n"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "n", "min_value": 0, "max_value": 9}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "s", "value_set": ["a", "b"]}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "n"}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["n", "s"]}},
        {"type": "expect_column_value_lengths_to_equal", "kwargs": {"column": "s", "value": 1}},
    ],
}


def warm_up() -> None:
    """Validate a two-row table in memory once: the first validation in a process imports GX's metric modules and
    sets up SQLAlchemy's DuckDB dialect (about 0.3 s CPU). The contract worker does this while the build is still
    running, so the real validation, which waits for the build, does not pay for it."""
    import duckdb

    with duckdb.connect() as con:
        con.execute("CREATE TABLE warm_up AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(n, s)")
        with _sql_source(con) as source:
            _validate(source, WARM_UP_SUITE, None)


def previous_counts(published: Path, tables: set[str] | None = None) -> dict[str, int]:
    """Row counts of the currently published warehouse (what this refresh would replace)."""
    if not published.exists():
        return {}
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        names = [
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
        ]
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in names if tables is None or t in tables
        }


def suites_for(tables: set[str] | None) -> list[dict]:
    """The suites of ``tables`` (all when None), in validation order."""
    return [s for s in map(load_suite, suite_files()) if tables is None or s["meta"]["table"] in tables]


def validate_suites(con, suites: list[dict], previous: dict[str, int] | None = None) -> list[list[Outcome]]:
    """Validate ``suites`` against the open DuckDB connection ``con``: each suite's outcomes (one per severity)."""
    if not suites:
        return []
    with _sql_source(con) as source:
        return [_validate(source, suite, (previous or {}).get(suite["meta"]["table"])) for suite in suites]


def run_contracts(con, previous: dict[str, int] | None = None, tables: set[str] | None = None) -> list[Outcome]:
    """Validate the suites of ``tables`` (all when None) against the open DuckDB connection ``con``."""
    return [o for outcomes in validate_suites(con, suites_for(tables), previous) for o in outcomes]


ACCUMULATING = {"load_manifest", "quarantine"}  # written by every run that loads data, whatever it rebuilds


def carried_contracts(con, rebuilt: set[str]) -> tuple[set[str], list[Outcome]]:
    """Which suites this run must validate, and the outcomes carried over for the others.

    A table the run did not rebuild (``pipelines.reuse``) has the contents its last validation saw; its passing
    outcome is carried into this run's results (saying so) instead of being recomputed. A table with no passing
    outcome on record (a run with --no-contracts built it, or it failed a warning) is validated again, and so is one
    rebuilt after its last outcome (``step_input.built_at``: a run with --no-contracts changed it since).
    """
    from .steps import STEPS
    from .warehouse import table_exists

    suites = {load_suite(p)["meta"]["table"] for p in suite_files()}
    validate = suites & (rebuilt | ACCUMULATING)
    carried: list[Outcome] = []
    if not table_exists(con, "check_result"):
        return suites, []
    built = (
        dict(con.execute("SELECT step, built_at FROM step_input").fetchall()) if table_exists(con, "step_input") else {}
    )
    built_at = {t: built[s.name] for s in STEPS for t in s.tables if s.name in built}
    for table in sorted(suites - validate):
        rows = con.execute(
            "SELECT check_name, asset, kind, severity, passed, failing_rows, sample, description, hint, run_id, "
            "checked_at FROM check_result WHERE kind = 'contract' AND check_name IN (?, ?) AND run_id = "
            + latest_checked_run("kind = 'contract' AND check_name = ?"),
            [f"contract_{table}", f"contract_{table}_warnings", f"contract_{table}"],
        ).fetchall()
        if not rows or not all(r[4] for r in rows) or any(r[10] < built_at.get(table, r[10]) for r in rows):
            validate.add(table)
            continue
        carried += [
            Outcome(*r[:7], f"{r[7].split(' (carried over')[0]} (carried over from run {r[9]}: table unchanged)", r[8])
            for r in rows
        ]
    return validate, carried
