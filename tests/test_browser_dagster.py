"""The real Dagster webserver (`dagster dev`, as `make dev` starts it): the code location loads and shows the whole
graph; a run launched through its GraphQL API (what the UI's Materialize button calls) builds the same warehouse as
the CLI; and in real headless Chromium the asset graph shows, a run of the refresh job launched from the UI's button
succeeds and publishes, and its check results are visible. Slow (a whole `dagster dev` and two runs), so the module
starts one webserver for both tests (and one browser for the browser test) and stays on one worker under `-n 2`
(tests/conftest.py ONE_WORKER_MODULES); the tests run in file order, the GraphQL one on the fresh home."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from pipelines.config import REPO_ROOT
from pipelines.runs import identity
from pipelines.steps import STEPS
from tests.browser import Console, failure_screenshot, free_port, launch, require_browser

# The code location as `dagster dev` loads it: change these two together when the location is renamed.
LOCATION = "armsflow"  # [tool.dagster] code_location_name in pyproject.toml
JOB = "refresh"

pytestmark = [pytest.mark.integration, pytest.mark.slow]
UI_TIMEOUT = 120_000  # ms: a loaded 2-core machine can take a minute to render the graph


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    req = urllib.request.Request(
        url + "/graphql",
        method="POST",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory, request):
    """`dagster dev` in the repository (no -w/-m: it reads [tool.dagster] in pyproject.toml, which names the code
    location "armsflow"), with its own DAGSTER_HOME and ARMSFLOW_HOME; (url, root) with the home at root/home.
    While it starts, the session's contracts_home (the CLI's warehouse, compared with in the first test) is built
    or reused, instead of after."""
    root = tmp_path_factory.mktemp("dagster_ui")
    (root / "dagster").mkdir()
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster"), "ARMSFLOW_HOME": str(root / "home")}
    log = open(root / "dagster.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        request.getfixturevalue("contracts_home")
        deadline = time.time() + 180
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"dagster dev exited with {proc.returncode}: {(root / 'dagster.log').read_text()[-2000:]}")
            try:
                if graphql(url, "{ version }"):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("dagster dev did not answer within 180 s: " + (root / "dagster.log").read_text()[-2000:])
        yield url, root
    finally:
        # The whole process group (webserver, daemon, code server, run workers) at once: a graceful stop of
        # `dagster dev` takes seconds and can hang; nothing of it outlives the test's temp directory.
        os.killpg(proc.pid, 9)
        proc.wait(timeout=30)
        log.close()


def runs(url: str) -> list[dict]:
    """The refresh job's runs, newest first."""
    query = (
        "{ runsOrError(filter: {pipelineName: " + json.dumps(JOB) + "}) { ... on Runs { results { runId status } } } }"
    )
    return graphql(url, query)["runsOrError"]["results"]


def status(url: str, run_id: str) -> str:
    return graphql(url, f'{{ runOrError(runId: "{run_id}") {{ ... on Run {{ status }} }} }}')["runOrError"]["status"]


def wait_for_end(url: str, run_id: str, seconds: float = 900) -> str:
    """The run's final status (a whole run on a loaded 2-core machine can take minutes)."""
    deadline, state = time.time() + seconds, None
    while time.time() < deadline:
        state = status(url, run_id)
        if state in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)  # each status query costs the webserver CPU the run needs
    return state


def test_ui_loads_the_graph_and_materialises_the_same_warehouse(webserver, contracts_home):
    url, root = webserver
    home = root / "home"
    nodes = graphql(url, "{ assetNodes { assetKey { path } groupName } }")["assetNodes"]
    assert {n["assetKey"]["path"][0] for n in nodes} == {s.name for s in STEPS} | {"published_warehouse"}
    before = identity(home / "warehouse.duckdb")
    launched = graphql(
        url,
        """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
        __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {
            "p": {
                "selector": {
                    "repositoryLocationName": LOCATION,
                    "repositoryName": "__repository__",
                    "jobName": JOB,
                }
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    assert wait_for_end(url, launched["run"]["runId"]) == "SUCCESS", (root / "dagster.log").read_text()[-3000:]
    assert identity(home / "warehouse.duckdb") != before  # this run published
    sql = "SELECT (SELECT count(*) FROM deal), (SELECT count(*) FROM membership), (SELECT count(*) FROM mart_dyad_year)"
    with (
        duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as ui,
        duckdb.connect(str(contracts_home / "warehouse.duckdb"), read_only=True) as cli,  # `armsflow refresh`
    ):
        assert ui.execute(sql).fetchone() == cli.execute(sql).fetchone()


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.browser
def test_graph_visible_refresh_launched_from_the_ui_succeeds_and_checks_show(webserver, browser):
    url, root = webserver
    t0 = time.time()
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    console = Console(page)
    page.set_default_timeout(UI_TIMEOUT)
    # The first visit may show a 'Join the Dagster community' dialog over the page: skipped whenever it is in the
    # way of an action (instead of waiting for it on every page, where it mostly never comes).
    page.add_locator_handler(page.get_by_role("button", name="Skip"), lambda skip: skip.click())
    try:
        # The asset graph: the global lineage shows every group; a group's graph shows its assets.
        page.goto(f"{url}/asset-groups")
        for group in ("raw", "staging", "warehouse", "marts", "publish"):
            page.get_by_text(group, exact=True).first.wait_for()
        page.goto(f"{url}/locations/{LOCATION}/asset-groups/marts")
        for asset in ("mart_transfer_enriched", "mart_country_year", "mart_dyad_year"):
            page.get_by_text(asset, exact=True).first.wait_for()

        # Launch the refresh job from its page, as a user would. Runs of the module's other test may be listed:
        # the click must add exactly one new run.
        earlier = {r["runId"] for r in runs(url)}
        published = identity(root / "home" / "warehouse.duckdb")
        page.goto(f"{url}/locations/{LOCATION}/jobs/{JOB}")
        button = page.get_by_role("button", name=re.compile(r"Materialize all")).first
        button.wait_for()
        button.click()
        deadline = time.time() + 60
        while len(runs(url)) == len(earlier) and time.time() < deadline:
            time.sleep(0.2)
        launched = [r for r in runs(url) if r["runId"] not in earlier]
        assert len(launched) == 1 and len(runs(url)) == len(earlier) + 1, (
            "clicking 'Materialize all' did not launch a run"
        )
        run_id = launched[0]["runId"]

        # The run's page once it has ended (not while it runs: rendering the live event stream would take the CPU
        # the run needs, and the page would have to be reloaded to show the end anyway).
        page.goto("about:blank")
        assert wait_for_end(url, run_id) == "SUCCESS", (root / "dagster.log").read_text()[-3000:]
        page.goto(f"{url}/runs/{run_id}")
        page.get_by_text("Success", exact=True).first.wait_for()

        # Check results of the run, on the deal asset's checks tab.
        page.goto(f"{url}/assets/deal?view=checks")
        page.get_by_text("contract_deal", exact=True).first.wait_for()
        page.get_by_text(re.compile(r"^(Passed|Succeeded)$")).first.wait_for()
        assert page.get_by_text("Failed", exact=True).count() == 0
        published_now = identity(root / "home" / "warehouse.duckdb")
        assert published_now is not None and published_now != published  # the run launched by the click published
        errors = [e for e in console.problems() if "favicon" not in e]
        print(f"Dagster UI test: {time.time() - t0:.0f} s after the webserver answered; console: {errors}")
    except BaseException:
        failure_screenshot(page, root / "failure.png")
        raise
    finally:
        page.close()
