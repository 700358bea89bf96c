"""Runs are transactions (issue 7): one writer, demo vs real data, rejected payloads, crashes, the run record."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time

import duckdb
import pytest

from tests.cliproc import consistent, in_process, residue, run, start
from tests.conftest import shared
from tests.wire import LEGACY_ROWS, api_response, legacy_csv

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("warm_contracts")]


@pytest.fixture
def files(tmp_path):
    legacy, api = tmp_path / "legacy.csv", tmp_path / "api.json"
    legacy.write_bytes(legacy_csv())
    api.write_bytes(api_response())
    return legacy, api


@pytest.mark.parametrize("offset", [0.0, 0.5, 1.5])
def test_concurrent_writers_never_publish_a_mixed_warehouse(published_home, files, offset):
    legacy, api = files
    first = start(published_home, "import-sipri", str(legacy), "--no-contracts", "--accept-smaller")
    time.sleep(offset)
    second = run(published_home, "import-sipri", str(api), "--no-contracts", "--accept-smaller")
    out, err = first.communicate(timeout=300)
    codes = (first.returncode, second.returncode)
    assert 0 in codes, (err, second.stderr)
    if second.returncode:
        assert "another run is writing" in second.stderr and "pid" in second.stderr
        assert "Traceback" not in second.stderr
    state = consistent(published_home)
    expected = "legacy-export" if second.returncode else "trade-register-csv"
    assert state["format"] == expected
    assert residue(published_home) == []


def holding_the_lock(home, proc, seconds: float = 60) -> None:
    """Wait until proc has written itself into the run lock (a fixed sleep is too short on a busy machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lock = home / "run.lock"
        if lock.exists() and f'"pid": {proc.pid}' in lock.read_text():
            return
        time.sleep(0.02)
    raise AssertionError("the first run never took the lock")


def test_wait_queues_the_second_writer(published_home, files):
    legacy, api = files
    first = start(published_home, "import-sipri", str(legacy), "--no-contracts", "--accept-smaller")
    holding_the_lock(published_home, first)
    second = run(published_home, "import-sipri", str(api), "--no-contracts", "--accept-smaller", "--wait")
    first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert consistent(published_home)["format"] == "trade-register-csv"  # the queued run went last


def test_two_refreshes_at_once_one_does_the_work(published_home):
    first = start(published_home, "refresh", "--no-contracts", "--force")  # --force: nothing new would be a no-op
    time.sleep(0.3)
    second = run(published_home, "refresh", "--no-contracts", "--force")
    first.communicate(timeout=300)
    assert sorted([first.returncode, second.returncode]) == [0, 1]
    log = [json.loads(line) for line in (published_home / "runs.jsonl").read_text().splitlines()]
    assert sorted(r["published"] for r in log[-2:]) == [False, True]
    assert "another run is writing" in [r for r in log[-2:] if not r["published"]][0]["error"]


@pytest.fixture(scope="session")
def first_import(tmp_path_factory):
    """A fresh home whose first command was `armsflow import-sipri legacy.csv --no-contracts`, built once per
    session; read it, or copy it."""

    def build(folder):
        legacy = folder / "legacy.csv"
        legacy.write_bytes(legacy_csv())
        done = in_process(folder / "fresh", "import-sipri", str(legacy), "--no-contracts")
        assert done.returncode == 0, done.stderr

    return shared(tmp_path_factory, "first_import", build) / "fresh"


def test_import_as_the_first_command_loads_the_users_file(first_import):
    home = first_import
    state = consistent(home)
    assert state == {"deals": len(LEGACY_ROWS), "format": "legacy-export", "request": "import:legacy.csv"}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        origins = dict(con.execute("SELECT source, any_value(origin) FROM load_manifest GROUP BY source").fetchall())
    assert origins == {
        "sipri": "import",
        "unoda": "recording",
        "wikidata": "recording",
        "sipri_tiv": "recording",
        "atop": "recording",
        "cow": "recording",
    }


def test_refresh_after_import_keeps_the_import(first_import, tmp_path):
    home = tmp_path / "fresh"
    shutil.copytree(first_import, home)  # a copy: this test changes it
    again = in_process(home, "refresh")
    assert again.returncode == 0, again.stderr
    assert "sipri: keeping an imported file" in again.stdout
    assert consistent(home)["format"] == "legacy-export"
    assert in_process(home, "refresh", "--source", "unoda", "--no-contracts").returncode == 0
    status = in_process(home, "status").stdout
    assert "sipri: imported file" in status and "unoda: bundled recording" in status
    replay = in_process(home, "refresh", "--source", "sipri", "--replay", "--no-contracts")
    assert replay.returncode == 0, replay.stderr
    assert consistent(home)["format"] == "trade-register-csv"


@pytest.mark.parametrize(
    "body", [b"", b"\x89PNG\r\n\x1a\n" + bytes(200), os.urandom(4096)], ids=["empty", "png", "random"]
)
def test_a_rejected_payload_never_breaks_another_source(published_home, tmp_path, body):
    bad = tmp_path / "export.csv"
    bad.write_bytes(body)
    before = (published_home / "warehouse.duckdb").read_bytes()
    refused = in_process(published_home, "import-sipri", str(bad))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "armsflow: " in refused.stderr and "export.csv" in refused.stderr
    assert (published_home / "warehouse.duckdb").read_bytes() == before
    later = in_process(published_home, "refresh", "--source", "unoda", "--replay", "--no-contracts")
    assert later.returncode == 0, later.stderr
    assert residue(published_home) == []


def test_a_truncated_live_response_never_breaks_a_good_import(published_home, httpserver, files):
    from tests.served import Sources, serve

    class Env:  # serve() sets URLs through monkeypatch; collect them here and pass them on to the command
        def setenv(self, name, value):
            self.__dict__[name] = value

    env = Env()
    serve(httpserver, env, Sources(unoda={"npt": b'{"data": {"treaty_": {"data": {"actions_": [{"date": "19'}))
    urls = {k: v for k, v in env.__dict__.items() if k.startswith("ARMSFLOW_")}
    cut = in_process(published_home, "refresh", "--live", "--source", "unoda", **urls)
    assert cut.returncode == 1 and "unoda" in cut.stderr and "Traceback" not in cut.stderr
    legacy, _ = files
    good = in_process(published_home, "import-sipri", str(legacy), "--no-contracts", "--accept-smaller")
    assert good.returncode == 0, good.stderr
    assert consistent(published_home)["format"] == "legacy-export"


@pytest.mark.parametrize("moment", ["early", "checks", "publish"])
def test_kill_9_at_any_moment_leaves_the_published_file_intact(published_home, moment):
    before = consistent(published_home)
    proc = start(published_home, "refresh", "--replay", "--no-contracts")
    if moment == "early":
        time.sleep(0.8)
    else:
        marker = "[checks]" if moment == "checks" else "[checks]"
        for line in proc.stderr:
            if marker in line:
                break
        time.sleep(0.05 if moment == "checks" else 0.6)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert consistent(published_home)["deals"] == before["deals"]  # old or new, whole either way
    after = in_process(published_home, "refresh", "--no-contracts")  # the next run (in this process) succeeds
    assert after.returncode == 0, after.stderr
    assert residue(published_home) == []


def test_the_run_record(published_home):
    assert in_process(published_home, "refresh", "--source", "wikidata", "--replay", "--no-contracts").returncode == 0
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        rec = con.execute(
            "SELECT command, sources, payloads, counts, checks, published, seconds FROM run "
            "ORDER BY started_at DESC LIMIT 1"
        ).fetchall()[0]
    command, sources, payloads, counts, checks, published, seconds = rec
    assert command == "refresh --replay --source wikidata" and sources == ["wikidata"] and published
    assert len(json.loads(payloads)["wikidata"]["sha256"]) == 7
    assert json.loads(counts)["membership"]["memberships"] > 1000
    assert json.loads(checks)["blocking_failures"] == 0 and seconds > 0


def test_a_mixed_warehouse_fails_the_lineage_rule(published_home):
    path = published_home / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:  # simulate a mart built from an older SIPRI batch
        con.execute(
            "UPDATE table_batch SET batch_id = 'an-older-batch' WHERE table_name = 'mart_transfer_enriched' "
            "AND source = 'sipri'"
        )
    checked = in_process(published_home, "check", "--no-contracts")
    assert checked.returncode == 1 and "FAILED  tables_from_current_batches" in checked.stdout


def test_twenty_readers_during_a_refresh_never_fail(published_home):
    """Readers open the published file read-only per query while a refresh publishes over it."""
    import threading

    from pipelines.config import load_settings
    from pipelines.readers import open_published, run_query

    settings = load_settings().with_home(published_home)
    latencies, failures, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                with open_published(settings) as con:
                    run_query(con, "SELECT count(*) FROM mart_transfer_enriched JOIN deal USING (deal_id)")
            except Exception as exc:  # any failure is the finding
                failures.append(repr(exc))
            latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=reader) for _ in range(20)]
    for t in threads:
        t.start()
    refresh = run(published_home, "refresh", "--replay", "--no-contracts")
    stop.set()
    for t in threads:
        t.join()
    assert refresh.returncode == 0, refresh.stderr
    assert failures == [] and len(latencies) > 20
    latencies.sort()
    print(
        f"20 readers: {len(latencies)} queries, median {latencies[len(latencies) // 2] * 1000:.0f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
