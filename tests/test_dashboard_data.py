"""The dashboard's SQL (pipelines/dashboard/data.py) on a real published warehouse, without a browser."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from pipelines.dashboard import data
from tests.conftest import refreshed_home

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return refreshed_home(tmp_path_factory, "dashboard_data", "--no-contracts") / "warehouse.duckdb"


def sql(path, query, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def test_relationship_turkiye_pakistan_equals_the_deal_table(published):
    deals = data.dyad_deals(published, "TUR", "PAK")
    expected = sql(
        published,
        "SELECT deal_id, order_year, designation, numbers_delivered FROM deal WHERE "
        "supplier_name = 'Turkiye' AND recipient_name = 'Pakistan' ORDER BY order_year, deal_id",
    )
    assert expected, "the bundled data should hold Turkiye -> Pakistan deals"
    assert list(deals["deal_id"]) == [r[0] for r in expected]
    assert list(deals["designation"]) == [r[2] for r in expected]
    summary = data.dyad_summary(published, "TUR", "PAK")
    assert summary["deals"] == len(expected)
    assert summary["numbers_delivered"] == sum(r[3] or 0 for r in expected)
    years = data.dyad_years(published, "TUR", "PAK")
    assert years["deals_ordered"].sum() == len(expected)
    assert years["supplier_nato"].all()  # Turkiye in NATO since 1952, every year of these deals
    # Pakistan: outside the NPT throughout, nuclear-armed from its 1998 tests (nuclear_facts.csv)
    assert set(years["recipient_nuclear_status"]) <= {"outside_npt", "nuclear_armed_outside_npt"}
    assert "nuclear_armed_outside_npt" in set(years["recipient_nuclear_status"])


def test_explorer_filters_build_the_same_rows_as_hand_written_sql(published):
    frame = data.explorer(
        published, recipients=("Pakistan",), conditions=("supplier is a NATO member",), years=(1990, 2024)
    )
    expected = sql(
        published,
        "SELECT deal_id FROM mart_transfer_enriched WHERE recipient = 'Pakistan' "
        "AND supplier_nato AND order_year BETWEEN 1990 AND 2024",
    )
    assert sorted(frame["deal_id"]) == sorted(r[0] for r in expected) and len(expected) > 0
    everything = data.explorer(published)
    assert len(everything) == sql(published, "SELECT count(*) FROM mart_transfer_enriched")[0][0]
    for condition in data.STATUS_FILTERS:  # every named condition is valid SQL
        data.explorer(published, conditions=(condition,))


def test_other_pages_queries_run(published):
    assert len(data.country_years(published, "PAK")) > 0
    assert "NATO (member)" in set(data.country_timeline(published, "TUR")["lane"])
    assert len(data.country_partners(published, "TUR")) > 0
    assert len(data.check_results(published)) > 0
    assert len(data.sources(published)) > 0
    data.quarantine_summary(published)
    assert data.last_runs(published) is None or len(data.last_runs(published)) >= 0
    data.optional_tables(published)


def test_queries_never_hold_the_file_and_see_a_newly_published_one(published, tmp_path):
    """Open-query-close: a writer can lock the file right after, and an atomic rename is seen by the next query."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published, path)
    before = data.version(path)
    n = len(data.dyad_deals(path, "TUR", "PAK"))
    writer = duckdb.connect(str(tmp_path / "next.duckdb"))
    writer.execute(f"ATTACH '{path}' AS old (READ_ONLY)")
    writer.execute("CREATE TABLE mart_transfer_enriched AS SELECT * FROM old.mart_transfer_enriched LIMIT 0")
    writer.execute("DETACH old")
    writer.close()
    duckdb.connect(str(path)).close()  # no reader holds the published file: a read-write open succeeds
    os.replace(tmp_path / "next.duckdb", path)
    assert data.version(path) != before
    assert n > 0 and len(data.dyad_deals(path, "TUR", "PAK")) == 0
