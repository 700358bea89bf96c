"""The contract path's cost cuts change nothing GX decides: the engine's dialect refuses a failed reflection again
without a query, queries run without transactions, and the outcomes equal those through duckdb_engine's own dialect
(passing and failing suites alike)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from pipelines import contracts, gx_duckdb
from pipelines.contract_worker import ROOT, SUITE_WEIGHT, ContractWorker, _halves


def _engine(con, url: str = gx_duckdb.URL):
    kwargs, cursor = gx_duckdb.engine_kwargs(con)
    engine = sa.create_engine(url, **kwargs)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return engine, cursor, statements


def _reflect(engine, what: str, table: str):
    try:
        return getattr(sa.inspect(engine), what)(table)
    except sa.exc.DBAPIError as exc:
        return exc


@pytest.mark.parametrize("what", ["get_columns", "get_pk_constraint"])
def test_a_refused_reflection_is_refused_again_without_a_query(what, monkeypatch):
    monkeypatch.setattr(gx_duckdb.Dialect, "refused", {})
    with duckdb.connect() as con:
        con.execute("CREATE TABLE a (n INTEGER PRIMARY KEY, s VARCHAR); CREATE TABLE b (m DATE)")
        engines = [_engine(con), _engine(con), _engine(con, "duckdb:///:memory:")]  # two runs, and upstream's
        first, second, upstream = (_reflect(e[0], what, t) for e, t in zip(engines, ["a", "b", "b"], strict=True))
        asked = [len(e[2]) for e in engines]
        assert asked[0] > 0 and asked[2] > 0  # the first table was asked of the database, as upstream asks
        if isinstance(first, Exception):  # DuckDB's catalog cannot answer (DuckDB 1.5): the same error, no query
            assert type(second) is type(first) is type(upstream)
            assert str(second.orig) == str(first.orig) == str(upstream.orig)
            assert asked[1] == 0
        else:  # a DuckDB whose catalog answers: reflected as upstream reflects it
            assert repr(second) == repr(upstream)
        for _, cursor, _ in engines:
            cursor.close()


def test_queries_run_without_transactions_and_a_failed_one_does_not_poison_the_next():
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t AS SELECT range AS n FROM range(5)")
        engine, cursor, _ = _engine(con)
        with engine.connect() as c:
            with pytest.raises(sa.exc.DBAPIError):
                c.execute(sa.text("SELECT no_such_column FROM t"))
            assert c.execute(sa.text("SELECT count(*) FROM t")).scalar() == 5
        rows = engine.connect().execute(sa.text("SELECT n FROM t ORDER BY n")).fetchall()
        assert [r[0] for r in rows] == [0, 1, 2, 3, 4]  # read after the pool took the connection back
        cursor.close()


FAILED = ["contract_deal", "contract_organisation", "contract_treaty"]


@pytest.mark.integration
def test_outcomes_equal_those_through_duckdb_engines_own_dialect(gx_answers):
    answer = gx_answers["upstream"]
    assert answer["same"] and answer["ours"] == answer["upstream"]
    assert sorted(o["check_name"] for o in answer["ours"] if not o["passed"]) == FAILED
    assert len(answer["ours"]) == len(contracts.suite_files()) + 1  # quarantine's warnings are their own outcome


@pytest.mark.integration
def test_the_worker_runs_this_code_whatever_the_working_directory(baseline_home, tmp_path, monkeypatch):
    """``python -m pipelines.contract_worker`` looks in the working directory first: run from another checkout (or
    any project with a ``pipelines`` package), the worker ran that code, not this."""
    decoy = tmp_path / "elsewhere" / "pipelines"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("")
    (decoy / "contract_worker.py").write_text("raise SystemExit('another pipelines package')\n")
    monkeypatch.chdir(decoy.parent)
    worker = ContractWorker()
    try:
        outcomes = worker.validate(Path(os.path.relpath(baseline_home / "warehouse.duckdb")), {"treaty"}, {})
    finally:
        worker.close()
    assert [(o.check_name, o.passed) for o in outcomes] == [("contract_treaty", True)]


@pytest.mark.integration
def test_split_validation_answers_as_one_process_would(gx_answers):
    """The worker validates in two processes (a fork takes about half the suites): same outcomes, same order, and
    a fork that dies before answering has its share validated by the worker itself."""
    assert gx_answers["split"] == [
        {"mode": "answers", "same": True, "failed": FAILED, "forked": True},
        {"mode": "dies", "same": True, "failed": FAILED, "forked": False},
    ]


def test_the_two_shares_hold_every_suite_once_and_weigh_about_the_same():
    suites = contracts.suites_for(None)
    mine, theirs = _halves(suites)
    assert sorted(mine + theirs) == list(range(len(suites))) and mine and theirs
    weight = [sum(len(suites[i]["expectations"]) + SUITE_WEIGHT for i in share) for share in (mine, theirs)]
    assert abs(weight[0] - weight[1]) <= max(len(s["expectations"]) for s in suites)


ORPHAN = """
import os, sys, time
from pipelines import contract_worker as cw, contracts
build, pidfile = sys.argv[1], sys.argv[2]
parent = os.getpid()

def share(build, suites, previous):
    if os.getpid() != parent:  # the fork: say who it is, then take its time
        with open(pidfile + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(pidfile + ".tmp", pidfile)
        time.sleep(120)
        return []
    while not os.path.exists(pidfile):
        time.sleep(0.01)
    os._exit(0)  # the worker dies (killed by the run, say) while its fork validates

cw._validate = share
cw.validate_split(build, contracts.suites_for(None), {})
"""


@pytest.mark.integration
def test_the_fork_does_not_outlive_the_worker(baseline_home, tmp_path):
    """A fork left validating after its worker died would hold the build open read-only, and the run's in-process
    fallback could not open it for writing again: the fork dies with its worker."""
    pidfile = tmp_path / "fork.pid"
    build = str(baseline_home / "warehouse.duckdb")
    proc = subprocess.run([sys.executable, "-c", ORPHAN, build, str(pidfile)], timeout=120, cwd=ROOT)
    assert proc.returncode == 0
    fork = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(fork):
        time.sleep(0.05)
    outlived = _alive(fork)
    if outlived:
        os.kill(fork, signal.SIGKILL)
    assert not outlived


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
