"""The Dagster UI in real headless Chromium: the asset graph shows, a run of the refresh job launched from the UI's
button succeeds, and its check results are visible. Slow (a whole `dagster dev` and a run on the multiprocess
executor), so it starts one webserver and one browser for the module."""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.config import REPO_ROOT
from tests.browser import Console, Server, free_port, launch, require_browser, wait_http

# The code location as `dagster dev` loads it: change these two together when the location is renamed.
LOCATION = "armsflow"  # [tool.dagster] code_location_name in pyproject.toml
JOB = "refresh"

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]
UI_TIMEOUT = 120_000  # ms: a loaded 2-core machine can take a minute to render the graph


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    require_browser()
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("dagster_ui")
    (root / "dagster").mkdir()
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster"), "ARMSFLOW_HOME": str(root / "home")}
    workspace = root / "workspace.yaml"  # the same location make dev serves, named as pyproject names it
    workspace.write_text(
        f"load_from:\n  - python_module:\n      module_name: assets.definitions\n"
        f"      location_name: {LOCATION}\n      working_directory: {REPO_ROOT}\n"
    )
    server = Server(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)],
        env,
        root / "dagster.log",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/server_info", server.proc, root / "dagster.log", seconds=180)
        with sync_playwright() as p:
            browser = launch(p)
            try:
                yield url, root, browser
            finally:
                browser.close()
    finally:
        server.stop()


def dismiss_welcome(page) -> None:
    """The first visit shows a 'Join the Dagster community' dialog over the graph; skip it when present."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=5_000)
        skip.click()
    except Exception:  # playwright TimeoutError: no dialog this time
        pass


def runs(url: str) -> list[dict]:
    query = (
        "{ runsOrError(filter: {pipelineName: " + json.dumps(JOB) + "}) { ... on Runs { results { runId status } } } }"
    )
    req = urllib.request.Request(
        url + "/graphql",
        data=json.dumps({"query": query}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["data"]["runsOrError"]["results"]


def test_graph_visible_refresh_launched_from_the_ui_succeeds_and_checks_show(dagster_ui):
    url, root, browser = dagster_ui
    t0 = time.time()
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    console = Console(page)
    page.set_default_timeout(UI_TIMEOUT)
    try:
        # The asset graph: the global lineage shows every group; a group's graph shows its assets.
        page.goto(f"{url}/asset-groups")
        dismiss_welcome(page)
        for group in ("raw", "staging", "warehouse", "marts", "publish"):
            page.get_by_text(group, exact=True).first.wait_for()
        page.screenshot(path=str(root / "asset_graph.png"))
        page.goto(f"{url}/locations/{LOCATION}/asset-groups/marts")
        dismiss_welcome(page)
        for asset in ("mart_transfer_enriched", "mart_country_year", "mart_dyad_year"):
            page.get_by_text(asset, exact=True).first.wait_for()
        page.screenshot(path=str(root / "marts_graph.png"))

        # Launch the refresh job from its page, as a user would.
        page.goto(f"{url}/locations/{LOCATION}/jobs/{JOB}")
        button = page.get_by_role("button", name=re.compile(r"Materialize all")).first
        button.wait_for()
        button.click()
        deadline = time.time() + 60
        while not runs(url) and time.time() < deadline:
            time.sleep(0.2)
        launched = runs(url)
        assert len(launched) == 1, "clicking 'Materialize all' did not launch a run"
        run_id = launched[0]["runId"]

        page.goto(f"{url}/runs/{run_id}")
        deadline = time.time() + 900  # a whole run on a loaded 2-core machine: can take minutes
        while time.time() < deadline and runs(url)[0]["status"] not in ("SUCCESS", "FAILURE", "CANCELED"):
            time.sleep(0.5)
        assert runs(url)[0]["status"] == "SUCCESS", (root / "dagster.log").read_text()[-3000:]
        page.reload()
        page.get_by_text("Success", exact=True).first.wait_for()
        page.screenshot(path=str(root / "run.png"))

        # Check results of the run, on the deal asset's checks tab.
        page.goto(f"{url}/assets/deal?view=checks")
        page.get_by_text("contract_deal", exact=True).first.wait_for()
        page.get_by_text(re.compile(r"^(Passed|Succeeded)$")).first.wait_for()
        assert page.get_by_text("Failed", exact=True).count() == 0
        page.screenshot(path=str(root / "checks.png"))
        assert (root / "home" / "warehouse.duckdb").exists()
        errors = [e for e in console.problems() if "favicon" not in e]
        print(f"Dagster UI test: {time.time() - t0:.0f} s after the webserver answered; console: {errors}")
    finally:
        page.close()
