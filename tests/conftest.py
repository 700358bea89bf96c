from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

# Modules whose module-scoped fixture is a server, browser or lake worth starting once: under `-n 2` all their
# tests go to one worker. (xdist's own `--dist loadgroup` cannot do this under pytest 9: xdist 3.8 renames
# `item._nodeid`, which pytest 9 no longer reads, so its groups are silently ignored.)
ONE_WORKER_MODULES = ("tests/test_ducklake.py", "tests/test_browser_dashboard.py")


# Single tests that took 7 s or more of a `make test` run (pytest --durations, 2026-11-26, 2 cores) without being
# `slow`: collected right after the slow ones, so that the short tests fill the gaps at the end of the run instead
# of one of these starting last on one worker while the other has nothing left. Only the order depends on this list.
START_EARLY = (
    "tests/test_runs.py::test_twenty_readers_during_a_refresh_never_fail",
    "tests/test_history.py::test_release_switches_back_and_forth",
    "tests/test_tiv_reconcile.py::test_disagreeing_table_warns_then_serves_a_legacy_export",
    "tests/test_reuse.py::test_contracts_of_kept_tables_are_carried_only_after_they_passed",
    "tests/test_dagster.py::test_materialising_everything_gives_the_cli_warehouse",
    "tests/test_import.py::test_import_replaces_sipri_and_keeps_the_rest",
    "tests/test_runs.py::test_wait_queues_the_second_writer",
    "tests/test_live.py::test_country_year_tiv_is_zero_only_where_figures_exist",
    "tests/test_overhead.py::test_the_contract_worker_answers_as_in_process_validation",
    "tests/test_overhead.py::test_deferred_modules_load_when_used",
)


def pytest_collection_modifyitems(config, items):
    """Tests marked `slow` (a whole `dagster dev`, a browser, PostgreSQL, the whole SIPRI register) are collected
    first, then the long single tests of START_EARLY, in a stable order otherwise, so that under `make test`
    (`-n 2`) they start early on both workers instead of ending up serialised at the tail of the run. Every worker
    computes the same order, as xdist requires."""
    early = {nodeid: i for i, nodeid in enumerate(START_EARLY)}

    def key(item):
        slow = item.get_closest_marker("slow") is not None
        return (not slow, early.get(item.nodeid, len(early)) if not slow else 0)

    items.sort(key=key)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`-n N` (xdist's default `--dist load`): tests are handed out one at a time in collection order, as by xdist's
    load scheduler, except that each of ONE_WORKER_MODULES is one unit of work (handed out first, largest first)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return OneWorkerModules(config, log)


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
        assert main(["refresh", *args]) == 0
    return home


def shared_build(tmp_path_factory, *args: str) -> Path:
    """The home `armsflow refresh ARGS` publishes from the bundled data, built once per test session and shared
    by the xdist workers (the first one to ask builds it under a file lock, the other waits and reuses it; the cache
    lives in this session's base temp directory, so each session builds afresh). Read it, never change it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # shared by this session's workers
    key = "refresh" + "".join(a.replace("-", "_") for a in args)
    cache = root / f"shared-{key}"
    with open(root / f"shared-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (cache / "built").exists():
                shutil.rmtree(cache, ignore_errors=True)  # a build that failed part way
                run_refresh(cache / "home", *args)
                (cache / "built").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return cache / "home"


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


@pytest.fixture
def published_home(baseline_home, home):
    """A private copy of the baseline in this test's ARMSFLOW_HOME, to change freely."""
    shutil.copytree(baseline_home, home)
    return home


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster in a temp dir for this test session (tests/pg.py); skipped where PostgreSQL is absent."""
    from tests.pg import find_pg_bin, remove_cluster, start_cluster

    if find_pg_bin() is None:
        pytest.skip("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    cluster = start_cluster()
    yield cluster
    remove_cluster(cluster)
