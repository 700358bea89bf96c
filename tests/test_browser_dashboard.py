"""The dashboard in real headless Chromium: pages load without console errors, the numbers on screen equal the SQL,
a filter change updates the table, and the CSV download is exactly the rows shown. One warehouse, one Streamlit
server and one browser per module, to keep wall time low."""

from __future__ import annotations

import csv
import re

import duckdb
import pytest

from tests.browser import Console, failure_screenshot, launch, require_browser, start_dashboard
from tests.conftest import refreshed_home

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]
PAGES = {"": "Relationship", "explorer": "Explorer", "country": "Country", "quality": "Data quality and provenance"}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    require_browser()
    from playwright.sync_api import sync_playwright

    home = refreshed_home(tmp_path_factory, "dashboard_browser", "--no-contracts")
    server, url = start_dashboard(home, home.parent / "streamlit.log")
    try:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                yield url, home / "warehouse.duckdb", browser
            finally:
                browser.close()
    finally:
        server.stop()


def sql(path, query):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    console = Console(page)
    page.goto(url)
    settle(page)
    return page, console


def settle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has connected and finished running the page script."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("h1", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_without_console_errors(dashboard, path, tmp_path):
    url, _, browser = dashboard
    page, console = open_page(browser, f"{url}/{path}")
    try:
        assert page.locator("h1").first.inner_text() == PAGES[path]
        assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").all_inner_texts()
        assert console.problems() == []
    except BaseException:
        failure_screenshot(page, tmp_path / f"{path or 'relationship'}.png")
        raise
    finally:
        page.close()


def test_relationship_shows_turkiye_pakistan_deals_equal_to_the_sql(dashboard, tmp_path):
    url, db, browser = dashboard
    page, console = open_page(browser, url)
    try:
        expected = sql(
            db,
            """SELECT deal_id, order_year, designation, numbers_delivered FROM mart_transfer_enriched
                              WHERE supplier_id = 'TUR' AND recipient_id = 'PAK' ORDER BY order_year, deal_id""",
        )
        rows = page.locator("[data-testid='stTable'] tbody tr")
        rows.first.wait_for(timeout=30_000)
        shown = [
            (r.locator("th").inner_text().strip(), [c.strip() for c in r.locator("td").all_inner_texts()])
            for r in rows.all()
        ]
        assert [s[0] for s in shown] == [e[0] for e in expected]
        assert [(int(s[1][0]), s[1][1]) for s in shown] == [(e[1], e[2]) for e in expected]
        metrics = dict(m.split("\n", 1) for m in page.get_by_test_id("stMetric").all_inner_texts())
        metrics = {k.strip(): v.strip() for k, v in metrics.items()}
        assert metrics["Deals"] == str(len(expected))
        assert metrics["Items delivered"] == f"{sum(e[3] or 0 for e in expected):,}"
        supplier_box = page.get_by_test_id("stSelectbox").first
        assert "Türkiye (TUR)" in supplier_box.inner_text() + " ".join(
            i.input_value() for i in supplier_box.locator("input").all()
        )
        assert console.problems() == []
    except BaseException:
        failure_screenshot(page, tmp_path / "relationship.png")
        raise
    finally:
        page.close()


def test_explorer_filter_updates_the_table_and_csv_is_what_is_shown(dashboard, tmp_path):
    url, db, browser = dashboard
    page, console = open_page(browser, f"{url}/explorer")
    try:
        total = sql(db, "SELECT count(*) FROM mart_transfer_enriched")[0][0]
        page.get_by_text(f"{total:,} deals shown").wait_for()
        page.get_by_test_id("stMultiSelect").filter(has_text="Recipient").click()
        page.keyboard.type("Pakistan")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        expected = sql(
            db,
            "SELECT deal_id FROM mart_transfer_enriched WHERE recipient = 'Pakistan' "
            "ORDER BY order_year, supplier, recipient, deal_id",
        )
        assert 0 < len(expected) < total
        page.get_by_text(f"{len(expected):,} deals shown").wait_for(timeout=10_000)
        settle(page)
        with page.expect_download() as info:
            page.get_by_text("Download these deals as CSV").click()
        target = tmp_path / "deals.csv"
        info.value.save_as(target)
        with open(target, newline="", encoding="utf-8") as fh:
            downloaded = list(csv.DictReader(fh))
        assert [r["deal_id"] for r in downloaded] == [e[0] for e in expected]
        assert {r["recipient"] for r in downloaded} == {"Pakistan"}
        assert re.match(r"deal_id,order_year,supplier,recipient", target.read_text())
        assert console.problems() == []
    except BaseException:
        failure_screenshot(page, tmp_path / "explorer.png")
        raise
    finally:
        page.close()
