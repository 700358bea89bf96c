from __future__ import annotations

import fcntl
import os
import resource
import shutil
import time
from pathlib import Path

import pytest

# Modules whose module-scoped fixture is a server, browser or lake worth starting once: under `-n 2` all their
# tests go to one worker. (xdist's own `--dist loadgroup` cannot do this under pytest 9: xdist 3.8 renames
# `item._nodeid`, which pytest 9 no longer reads, so its groups are silently ignored.) Listed longest first: they are
# collected (and handed out) in this order, ahead of everything else, so the two longest start at once on the two
# workers and the short tests fill in around them to the end.
ONE_WORKER_MODULES = (
    "tests/test_ducklake.py",  # PostgreSQL, a refresh publishing to the lake, readers and publishers in processes
    "tests/test_browser_dagster.py",  # `dagster dev`, two runs, Chromium
    "tests/test_browser_dashboard.py",  # Streamlit and Chromium
)


# Single tests that took about 4 s or more of a `make test` run (ARMSFLOW_TEST_TIMELINE, 2026-11-26 08:21, 2 cores,
# load 2-8), longest first: collected right after the modules above, so that the short tests fill the gaps at the end
# of the run instead of one of these starting last on one worker while the other has nothing left. The first one
# builds the session's GX answers (conftest gx_answers) that two more tests read. Only the order depends on this list.
START_EARLY = (
    "tests/test_overhead.py::test_deferred_modules_load_when_used",
    "tests/test_history.py::test_release_switches_back_and_forth",
    "tests/test_dagster.py::test_a_failed_contract_on_an_early_table_stops_publication",
    "tests/test_lean.py::test_the_in_process_contract_fallback_still_validates",
    "tests/test_sipri_register_2024.py::test_whole_2024_register_loads_and_reconciles",
    "tests/test_runs.py::test_twenty_readers_during_a_refresh_never_fail",
    "tests/test_dagster.py::test_a_blocking_failure_stops_publication",
    "tests/test_dagster.py::test_reading_a_finished_runs_result_starts_no_second_run",
    "tests/test_reuse.py::test_contracts_of_kept_tables_are_carried_only_after_they_passed",
    "tests/test_live.py::test_country_year_tiv_is_zero_only_where_figures_exist",
    "tests/test_dagster.py::test_materialising_everything_gives_the_cli_warehouse",
    "tests/test_runs.py::test_wait_queues_the_second_writer",
    "tests/test_runs.py::test_refresh_after_import_keeps_the_import",
    "tests/test_reuse.py::test_a_register_with_new_names_keeps_what_does_not_read_them",
    "tests/test_lean.py::test_an_import_without_contracts_never_loads_pandas",
    "tests/test_runs.py::test_kill_9_at_any_moment_leaves_the_published_file_intact[publish]",
    "tests/test_dagster_contract_worker.py::test_the_worker_answers_each_request_as_in_process_validation_would",
    "tests/test_runs.py::test_concurrent_writers_never_publish_a_mixed_warehouse[1.5]",
    "tests/test_history.py::test_legacy_releases_matched_by_rule_with_ambiguity",
    "tests/test_live.py::test_unknown_names_are_quarantined_and_reported",
    "tests/test_import.py::test_import_replaces_sipri_and_keeps_the_rest",
    "tests/test_tiv_reconcile.py::test_disagreeing_table_warns_then_serves_a_legacy_export",
    "tests/test_runs.py::test_two_refreshes_at_once_one_does_the_work",
    "tests/test_history.py::test_noop_refresh_touches_nothing_and_force_rebuilds",
    "tests/test_history_sql.py::test_upgraded_home_sees_unchanged_deals_unchanged",
    "tests/test_runs.py::test_concurrent_writers_never_publish_a_mixed_warehouse[0.0]",
    "tests/test_gate.py::test_a_negative_tiv",
)


def pytest_collection_modifyitems(config, items):
    """The ONE_WORKER_MODULES are collected first (in that order), then the long single tests of START_EARLY, then
    the rest in a stable order, so that under `make test` (`-n 2`) the long ones start early on both workers instead
    of ending up serialised at the tail of the run. Every worker computes the same order, as xdist requires."""
    first = {module: i for i, module in enumerate(ONE_WORKER_MODULES)}
    early = {nodeid: i for i, nodeid in enumerate(START_EARLY)}

    def key(item):
        module = item.nodeid.split("::", 1)[0]
        if module in first:
            return (0, first[module])
        return (1, early.get(item.nodeid, len(early)))

    items.sort(key=key)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`-n N` (xdist's default `--dist load`): tests are handed out one at a time in collection order, as by xdist's
    load scheduler, except that each of ONE_WORKER_MODULES is one unit of work; units go out in collection order
    (not xdist's default of most tests first), so the order above decides which start first."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    config.option.loadscopereorder = False
    return OneWorkerModules(config, log)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """With ARMSFLOW_TEST_TIMELINE=FILE, each test appends `worker start end cpu nodeid` (setup to teardown, epoch
    seconds; cpu: CPU seconds of the worker and of its children that ended meanwhile) to FILE: where a `-n 2` run
    leaves a worker idle, what runs last, and what costs CPU whatever the load."""
    timeline = os.environ.get("ARMSFLOW_TEST_TIMELINE")
    start, cpu = time.time(), _cpu_seconds()
    try:
        return (yield)
    finally:
        if timeline:
            with open(timeline, "a") as out:
                worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
                used = _cpu_seconds() - cpu
                out.write(f"{worker} {start:.2f} {time.time():.2f} {used:.2f} {item.nodeid}\n")


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (user and system)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh ARMSFLOW_HOME; every source URL points nowhere unless a test serves it."""
    monkeypatch.setenv("ARMSFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ARMSFLOW_RETRIES", "0")
    monkeypatch.setenv("ARMSFLOW_TIMEOUT", "5")
    for source in ("SIPRI", "UNODA", "WIKIDATA"):
        monkeypatch.setenv(f"ARMSFLOW_{source}_URL", "http://127.0.0.1:9")
    return tmp_path / "home"


def run_refresh(home: Path, *args: str) -> Path:
    """`armsflow refresh ARGS` of the bundled data into home (in this process); the home it published."""
    from pipelines.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARMSFLOW_HOME", str(home))
        keep_contract_worker(mp)  # with contracts: this process's kept worker (warm_contracts)
        assert main(["refresh", *args]) == 0
    return home


def shared(tmp_path_factory, key: str, build) -> Path:
    """What `build(folder)` leaves in folder, built once per test session and shared by the xdist workers (the first
    one to ask builds it under a file lock, the other waits and reuses it; the cache lives in this session's base temp
    directory, so each session builds afresh). Read it, or copy it (shutil.copytree) to change it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # shared by this session's workers
    cache = root / f"shared-{key}"
    with open(root / f"shared-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (cache / "built").exists():
                shutil.rmtree(cache, ignore_errors=True)  # a build that failed part way
                cache.mkdir()
                build(cache)
                (cache / "built").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return cache


def shared_build(tmp_path_factory, *args: str) -> Path:
    """The home `armsflow refresh ARGS` publishes from the bundled data, built once per test session (`shared`)."""
    key = "refresh" + "".join(a.replace("-", "_") for a in args)
    return shared(tmp_path_factory, key, lambda folder: run_refresh(folder / "home", *args)) / "home"


def refreshed_home(tmp_path_factory, name: str, *args: str):
    """A private home holding what `armsflow refresh ARGS` publishes from the bundled data (for module-scoped
    fixtures): a copy of the session's shared build, free to change."""
    home = tmp_path_factory.mktemp(name) / "home"
    shutil.copytree(shared_build(tmp_path_factory, *args), home)
    return home


@pytest.fixture(scope="session")
def baseline_home(tmp_path_factory):
    """One warehouse published from the bundled data, shared read-only by every test that starts from it."""
    return shared_build(tmp_path_factory, "--no-contracts")


@pytest.fixture(scope="session")
def contracts_home(tmp_path_factory):
    """The same published by a refresh with the data contracts (its check results included); read-only."""
    return shared_build(tmp_path_factory)


@pytest.fixture(scope="session")
def gx_answers(baseline_home, tmp_path_factory) -> dict:
    """What one fresh Great Expectations process answers (tests/gx_process.py), computed once per test session."""
    import json

    from tests.gx_process import answer

    folder = shared(tmp_path_factory, "gx_answers", lambda folder: answer(baseline_home, folder))
    return json.loads((folder / "answers.json").read_text())


@pytest.fixture
def published_home(baseline_home, home):
    """A private copy of the baseline in this test's ARMSFLOW_HOME, to change freely."""
    shutil.copytree(baseline_home, home)
    return home


_KEPT_WORKERS: list = []
_REAL_WORKER: list = []  # pipelines.contract_worker.ContractWorker as defined, before keep_contract_worker patches it


def kept_contract_worker():
    """This test process's contract worker (``pipelines.contract_worker``), a real one kept between runs: what
    ``warm_contracts`` gives the runs in place of a new worker each. Closed at the end of the session."""

    class KeptWorker(_REAL_WORKER[0]):
        """A real worker whose ``close`` at the end of a run leaves it running for the next run, unless a request is
        still unanswered or it has died: then it is really closed, and the next run starts a new one."""

        pending = False
        closed = False

        def send(self, build, tables, previous):
            self.pending = True
            super().send(build, tables, previous)

        def result(self):
            answer = super().result()
            self.pending = False
            return answer

        def close(self):
            if self.pending or self.proc.poll() is not None:
                self.shut()

        def shut(self):
            if not self.closed:
                self.closed = True
                super().close()

    if not _KEPT_WORKERS or _KEPT_WORKERS[-1].closed or _KEPT_WORKERS[-1].proc.poll() is not None:
        _KEPT_WORKERS.append(KeptWorker())
    return _KEPT_WORKERS[-1]


def pytest_sessionfinish(session, exitstatus):
    for worker in _KEPT_WORKERS:
        worker.shut()


def keep_contract_worker(mp: pytest.MonkeyPatch) -> None:
    """Within mp, runs that start a contract worker get this process's kept one (``kept_contract_worker``)."""
    import pipelines.contract_worker

    if not _REAL_WORKER:
        _REAL_WORKER.append(pipelines.contract_worker.ContractWorker)
    mp.setattr(pipelines.contract_worker, "ContractWorker", kept_contract_worker)


@pytest.fixture
def warm_contracts(monkeypatch):
    """Runs with contracts in this process (``pipelines.cli.main``, ``runner.run``) validate in this process's kept
    contract worker instead of starting a worker (and importing Great Expectations in it, 2-3 CPU-s) per run: the same
    child process, requests and answers, and the in-process fallback if it fails. For tests where how the worker
    starts and stops is not under test (test_overhead.py, test_lean.py and the Dagster tests start their own)."""
    keep_contract_worker(monkeypatch)


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster in a temp dir for this test session (tests/pg.py); skipped where PostgreSQL is absent."""
    from tests.pg import find_pg_bin, remove_cluster, start_cluster

    if find_pg_bin() is None:
        pytest.skip("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    cluster = start_cluster()
    yield cluster
    remove_cluster(cluster)
