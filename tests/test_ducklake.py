"""The team target: publish the bundled build to DuckLake on a real PostgreSQL, read it from other processes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from pipelines.config import REPO_ROOT, load_settings
from pipelines.publish import build_tables_and_releases, publish
from pipelines.runs import RunContext, identity
from pipelines.targets import Target, parse_target
from pipelines.targets.ducklake import LakeError, connect_reader, publish_to_ducklake
from pipelines.targets.lake_admin import list_snapshots, maintain_lake
from tests.conftest import run_refresh
from tests.lake_proc import WATCH_SQL

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUERIES = [
    "SELECT count(*) FROM deal",
    "SELECT count(*) FROM delivery",
    "SELECT count(*) FROM membership",
    "SELECT * FROM mart_transfer_enriched ORDER BY ALL",
    "SELECT entity_id, start_date FROM memberships_as_of(DATE '2024-12-31') WHERE org_id = 'NATO' ORDER BY ALL",
    "SELECT entity_id, nuclear_status_on(entity_id, DATE '2002-12-31') FROM entity ORDER BY ALL",
    "SELECT count(*), md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM mart_country_year t",
]


@pytest.fixture(scope="module")
def builds(tmp_path_factory, pg_cluster):
    """A: the bundled build, published by `armsflow refresh` to the lake "cli" as well. B: A without the deals
    from 900100 on (and their deliveries and mart rows)."""
    lake = {
        "ARMSFLOW_WAREHOUSE": pg_cluster.createdb("cli"),
        "ARMSFLOW_DATA_PATH": str(tmp_path_factory.mktemp("cli-lake")),
    }
    with pytest.MonkeyPatch.context() as mp:
        for k, v in lake.items():
            mp.setenv(k, v)
        # a real refresh: it publishes to the lake (without the contracts: the lake publish does not depend on them)
        home = run_refresh(tmp_path_factory.mktemp("lake") / "home", "--no-contracts")
    a = home / "warehouse.duckdb"
    b = home.parent / "smaller.duckdb"
    shutil.copyfile(a, b)
    con = duckdb.connect(str(b))
    cut = "SELECT deal_id FROM deal ORDER BY deal_id LIMIT 100"
    con.execute(f"CREATE TEMP TABLE cut AS {cut}")
    for table in ("delivery", "mart_transfer_enriched", "deal"):
        con.execute(f"DELETE FROM {table} WHERE deal_id IN (SELECT deal_id FROM cut)")
    con.close()
    tables, releases = build_tables_and_releases(a)
    return {"home": home, "a": a, "b": b, "tables": tables, "releases": releases, "lake": lake}


def local_rows(path: Path) -> list:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return json.loads(json.dumps([con.execute(sql).fetchall() for sql in QUERIES], default=str))
    finally:
        con.close()


class SecondProcess:
    """Another Python process (tests/lake_proc.py serve) that reads the lake on request: started once per module,
    each request opens fresh reader connections in it, so it sees only what PostgreSQL and the data path hold."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.lake_proc", "serve"],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def request(self, command: str, **args) -> dict:
        self.proc.stdin.write(json.dumps({"command": command, "args": args}, default=str) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:  # the process died: its stderr says why
            self.proc.wait(timeout=30)
            pytest.fail(f"the second process exited with {self.proc.returncode}: {self.proc.stderr.read()[-3000:]}")
        answer = json.loads(line)
        assert "exception" not in answer, answer["exception"]
        return answer

    def lake_rows(self, uri: str, *views: dict) -> list:
        """The QUERIES' rows as this process reads them: one list per view ({} is the latest snapshot)."""
        return self.request("query", uri=uri, sql=QUERIES, views=list(views) or [{}])["rows"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def elsewhere():
    reader = SecondProcess()
    try:
        yield reader
    finally:
        reader.close()


def test_target_configuration():
    assert parse_target(None, None) == Target("local")
    uri = "ducklake:postgres:dbname=a host=h port=5 user=u"
    assert parse_target(uri, "/srv/lake") == Target("ducklake", uri, "/srv/lake")
    with pytest.raises(Exception, match="ARMSFLOW_DATA_PATH"):
        parse_target(uri, "")
    with pytest.raises(Exception, match="password=\\*\\*\\*"):
        parse_target("postgres:dbname=a password=secret", "/x")


def test_refresh_publishes_to_the_configured_lake(builds, pg_cluster, elsewhere):
    uri = pg_cluster.uri("cli")
    [latest, _initial] = list_snapshots(uri)
    assert "-cli-" in latest["run_id"] and latest["releases"] == builds["releases"]
    deals = duckdb.connect(str(builds["a"]), read_only=True).execute("SELECT count(*) FROM deal").fetchall()[0][0]
    assert set(latest["rows"]) == set(builds["tables"]) and latest["rows"]["deal"] == deals
    assert elsewhere.lake_rows(uri) == [local_rows(builds["a"])]


def test_publish_read_elsewhere_and_time_travel(builds, pg_cluster, elsewhere, tmp_path):
    uri = pg_cluster.createdb("travel")
    first = publish_to_ducklake(builds["a"], uri, str(tmp_path / "data"), "run-1", builds["releases"], builds["tables"])
    assert elsewhere.lake_rows(uri) == [local_rows(builds["a"])]
    second = publish_to_ducklake(
        builds["b"], uri, str(tmp_path / "data"), "run-2", builds["releases"], builds["tables"]
    )
    assert second == first + 1  # one snapshot per publish
    snapshots = list_snapshots(uri)
    assert [s["run_id"] for s in snapshots[:2]] == ["run-2", "run-1"]
    assert (
        snapshots[0]["releases"] == builds["releases"]
        and snapshots[0]["rows"]["deal"] == snapshots[1]["rows"]["deal"] - 100
    )
    first_commit = snapshots[1]["snapshot_time"]  # as of the first run's commit time: the first state
    a, b = local_rows(builds["a"]), local_rows(builds["b"])
    assert a != b
    assert elsewhere.lake_rows(uri, {}, {"at_snapshot": first}, {"as_of": first_commit}) == [b, a, a]
    done = maintain_lake(uri, keep_days=0, grace_days=0)  # expire all but the current snapshot, drop their files
    files_of_first = sum(1 for n in snapshots[1]["rows"].values() if n)  # one Parquet file per non-empty table
    assert done["snapshots_expired"] == 2 and done["old_files_deleted"] == files_of_first
    assert [s["run_id"] for s in list_snapshots(uri)] == ["run-2"]
    with pytest.raises(LakeError, match="could not open the catalog"):
        connect_reader(uri, at_snapshot=first)
    assert elsewhere.lake_rows(uri) == [b]


def test_readers_during_publishes_see_whole_snapshots(builds, pg_cluster, tmp_path):
    uri = pg_cluster.createdb("readers")
    data = str(tmp_path / "data")
    publish_to_ducklake(builds["a"], uri, data, "a", {}, builds["tables"])
    stop, args = tmp_path / "stop", []
    procs = []
    for i in range(3):
        ready = tmp_path / f"ready{i}"
        payload = json.dumps({"uri": uri, "stop": str(stop), "ready": str(ready)})
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.lake_proc", "watch", payload],
                cwd=REPO_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        args.append(ready)
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in args) and time.monotonic() < deadline:
        time.sleep(0.05)
    publish_to_ducklake(builds["b"], uri, data, "b", {}, builds["tables"])
    publish_to_ducklake(builds["a"], uri, data, "a2", {}, builds["tables"])
    time.sleep(0.5)
    stop.touch()
    whole = set()
    for build in (builds["a"], builds["b"]):
        with duckdb.connect(str(build), read_only=True) as con:
            whole.add(json.dumps(list(con.execute(WATCH_SQL).fetchone())))
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        seen = json.loads(out)["seen"]
        assert set(seen) <= whole, f"a reader saw a mixed state: {seen}"
        assert len(seen) == 2, f"a reader did not see both snapshots: {seen}"


def test_postgres_stopped_mid_publish(builds, pg_cluster, elsewhere, tmp_path):
    uri = pg_cluster.createdb("outage")
    data = str(tmp_path / "data")
    first = publish_to_ducklake(builds["a"], uri, data, "before", {}, builds["tables"])
    stopped = []

    def stop_postgres(message: str) -> None:
        if not stopped:
            stopped.append(message)
            pg_cluster.stop("fast")

    try:
        with pytest.raises(LakeError) as failure:
            publish_to_ducklake(builds["b"], uri, data, "during", {}, builds["tables"], progress=stop_postgres)
    finally:
        pg_cluster.start()
    assert stopped and "Nothing of this run was published" in str(failure.value)
    assert list_snapshots(uri)[0]["snapshot_id"] == first
    assert elsewhere.lake_rows(uri) == [local_rows(builds["a"])]
    second = publish_to_ducklake(builds["b"], uri, data, "after", {}, builds["tables"])
    assert second == first + 1 and elsewhere.lake_rows(uri) == [local_rows(builds["b"])]


def test_unreachable_catalog_or_unwritable_path_leave_everything(builds, pg_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(builds["home"]))
    settings = load_settings()
    published = settings.published_path.read_bytes()
    uri = pg_cluster.createdb("errors")
    seeded = publish_to_ducklake(builds["a"], uri, str(tmp_path / "data"), "seed", {}, builds["tables"])
    down = uri.replace(f"port={pg_cluster.port}", "port=9")

    def publish_build(run_id: str, target: Target) -> int | None:
        build = tmp_path / run_id / "warehouse.duckdb"
        build.parent.mkdir()
        shutil.copyfile(settings.published_path, build)
        ctx = RunContext(
            replace(settings, target=target), run_id, "test", build, base_identity=identity(settings.published_path)
        )
        return publish(ctx)

    with pytest.raises(LakeError, match="could not open the catalog .*PostgreSQL is running"):
        publish_build("down", Target("ducklake", down, str(tmp_path / "data")))
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(LakeError, match="data path .* is not writable"):
        publish_build("unwritable", Target("ducklake", uri, str(blocked / "data")))
    assert hashlib.sha256(settings.published_path.read_bytes()).digest() == hashlib.sha256(published).digest()
    assert [s["run_id"] for s in list_snapshots(uri)] == ["seed", None]  # None: DuckLake's own first snapshot
    assert publish_build("ok", Target("ducklake", uri, str(tmp_path / "data"))) == seeded + 1
    assert list_snapshots(uri)[0]["run_id"] == "ok"


def test_concurrent_publishers_one_wins(builds, pg_cluster, elsewhere, tmp_path):
    uri = pg_cluster.createdb("race")
    data = str(tmp_path / "data")
    publish_to_ducklake(builds["a"], uri, data, "seed", {}, builds["tables"])
    args = {"uri": uri, "build": str(builds["b"]), "data_path": data, "tables": builds["tables"]}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.lake_proc", "publish", json.dumps({**args, "run_id": f"racer{i}"})],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    wins = [r for r in results if "snapshot" in r]
    assert wins, results
    for r in results:
        if "error" in r:
            assert "another publisher committed first" in r["error"] and "Run the refresh again" in r["error"]
    runs = [s["run_id"] for s in list_snapshots(uri) if s["run_id"]]
    assert len(runs) == 1 + len(wins) and elsewhere.lake_rows(uri) == [local_rows(builds["b"])]


def test_reader_is_read_only_and_sandboxed(builds, pg_cluster, tmp_path):
    con = connect_reader(pg_cluster.uri("cli"))  # the lake the module's refresh published build A to
    assert (
        con.execute("SELECT count(*) FROM deal").fetchone()[0]
        == duckdb.connect(str(builds["a"]), read_only=True).execute("SELECT count(*) FROM deal").fetchall()[0][0]
    )
    for sql in (
        "CREATE TABLE t (a INT)",
        "DELETE FROM deal",
        f"SELECT * FROM read_csv('{os.devnull}')",
        f"ATTACH '{tmp_path / 'x.duckdb'}' AS x",
        "SET enable_external_access = true",
        f"COPY deal TO '{tmp_path / 'deal.csv'}'",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    con.close()


def test_cli_query_and_status_read_the_lake(builds, pg_cluster, tmp_path):
    from tests.cliproc import in_process as run  # the CLI's main in this process: what it does is under test

    env = builds["lake"]
    [latest, _initial] = list_snapshots(env["ARMSFLOW_WAREHOUSE"])
    now = run(tmp_path / "elsewhere", "query", "SELECT count(*) AS n FROM deal", "--format", "json", **env)
    old = run(
        tmp_path / "elsewhere",
        "query",
        "SELECT count(*) AS n FROM deal",
        "--format",
        "json",
        "--at-snapshot",
        str(latest["snapshot_id"]),
        **env,
    )
    assert now.returncode == 0 and old.returncode == 0, now.stderr + old.stderr
    assert json.loads(now.stdout) == json.loads(old.stdout) == [{"n": latest["rows"]["deal"]}]
    refused = run(tmp_path / "elsewhere", "query", f"COPY deal TO '{tmp_path / 'x.csv'}'", **env)
    assert refused.returncode == 1 and not (tmp_path / "x.csv").exists()
    local = run(builds["home"], "query", "SELECT 1", "--at-snapshot", "1")
    assert local.returncode == 1 and "team warehouse" in local.stderr


def test_the_dashboard_reads_the_lake_when_configured(builds, pg_cluster, monkeypatch, tmp_path):
    from pipelines.dashboard import data

    for k, v in builds["lake"].items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("ARMSFLOW_HOME", str(tmp_path / "no-local-file"))
    data._LAKE.clear()
    try:
        [latest, _initial] = list_snapshots(builds["lake"]["ARMSFLOW_WAREHOUSE"])
        path = data.warehouse_path()
        assert not path.exists() and data.version(path)[1:] == ("ducklake", latest["snapshot_id"])
        deals = data.query(path, "SELECT count(*) AS n FROM deal")["n"][0]
        assert deals == latest["rows"]["deal"] and len(data.dyad_deals(path, "TUR", "PAK")) > 0
    finally:
        for con in data._LAKE:
            con.close()
        data._LAKE.clear()
