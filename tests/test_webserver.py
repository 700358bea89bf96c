"""The real Dagster webserver: the code location loads, shows the whole graph, and a run launched through its
GraphQL API (what the UI's Materialize button calls) builds the same warehouse, on the in-process executor."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from pipelines.config import REPO_ROOT
from pipelines.steps import STEPS

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BIN = Path(sys.executable).parent


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        method="POST",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["data"]


@pytest.fixture
def webserver(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster"), "ARMSFLOW_HOME": str(tmp_path / "home")}
    (tmp_path / "dagster").mkdir()
    log = open(tmp_path / "dagster.log", "w")
    # No -m: `dagster dev` reads [tool.dagster] in pyproject.toml, which names the code location "armsflow".
    proc = subprocess.Popen(
        [str(BIN / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if graphql(port, "{ version }"):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("dagster dev did not answer within 120 s: " + (tmp_path / "dagster.log").read_text()[-2000:])
        yield port, tmp_path / "home"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_ui_loads_the_graph_and_materialises_the_same_warehouse(webserver, contracts_home):
    port, home = webserver
    nodes = graphql(port, "{ assetNodes { assetKey { path } groupName } }")["assetNodes"]
    assert {n["assetKey"]["path"][0] for n in nodes} == {s.name for s in STEPS} | {"published_warehouse"}
    launched = graphql(
        port,
        """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
        __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {
            "p": {
                "selector": {
                    "repositoryLocationName": "armsflow",
                    "repositoryName": "__repository__",
                    "jobName": "refresh",
                }
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline, status = time.time() + 480, None
    while time.time() < deadline:
        status = graphql(port, f'{{ runOrError(runId: "{run_id}") {{ ... on Run {{ status }} }} }}')["runOrError"][
            "status"
        ]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(0.5)
    assert status == "SUCCESS"
    sql = "SELECT (SELECT count(*) FROM deal), (SELECT count(*) FROM membership), (SELECT count(*) FROM mart_dyad_year)"
    with (
        duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as ui,
        duckdb.connect(str(contracts_home / "warehouse.duckdb"), read_only=True) as cli,  # `armsflow refresh`
    ):
        assert ui.execute(sql).fetchone() == cli.execute(sql).fetchone()
