from __future__ import annotations

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh ARMSFLOW_HOME; every source URL points nowhere unless a test serves it."""
    monkeypatch.setenv("ARMSFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ARMSFLOW_RETRIES", "0")
    monkeypatch.setenv("ARMSFLOW_TIMEOUT", "5")
    for source in ("SIPRI", "UNODA", "WIKIDATA"):
        monkeypatch.setenv(f"ARMSFLOW_{source}_URL", "http://127.0.0.1:9")
    return tmp_path / "home"


def refreshed_home(tmp_path_factory, name: str, *args: str):
    """A home with a warehouse published from the bundled data (for module-scoped fixtures)."""
    from pipelines.cli import main

    home = tmp_path_factory.mktemp(name) / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARMSFLOW_HOME", str(home))
        assert main(["refresh", *args]) == 0
    return home


@pytest.fixture(scope="session")
def baseline_home(tmp_path_factory):
    """One warehouse published from the bundled data, shared read-only by every test that starts from it."""
    return refreshed_home(tmp_path_factory, "baseline", "--no-contracts")


@pytest.fixture
def published_home(baseline_home, home):
    """A private copy of the baseline in this test's ARMSFLOW_HOME, to change freely."""
    import shutil

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
