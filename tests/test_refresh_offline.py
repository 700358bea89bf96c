"""The bundled data end to end through the CLI: the answers analysts ask for, from the published file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipelines.cli import main
from tests.conftest import refreshed_home

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return refreshed_home(tmp_path_factory, "offline")


def query(capsys, sql):
    capsys.readouterr()
    assert main(["query", sql, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_nato_on_2024_12_31(published, capsys, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    rows = query(
        capsys,
        "SELECT entity_id, start_date FROM memberships_as_of(DATE '2024-12-31') "
        "WHERE org_id = 'NATO' ORDER BY entity_id",
    )
    got = {r["entity_id"]: r["start_date"] for r in rows}
    assert len(got) == 32
    assert got["TUR"] == "1952-02-18" and got["DEU"] == "1955-05-06" and got["ESP"] == "1982-05-30"
    assert got["MKD"] == "2020-03-27" and got["MNE"] == "2017-06-05" and got["SWE"] == "2024-03-07"


def test_turkiye_status(published, capsys, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    rows = query(
        capsys,
        "SELECT org_id, start_date FROM membership WHERE entity_id = 'TUR' AND role IN ('party','member') "
        "AND org_id IN ('NPT', 'NATO') ORDER BY org_id",
    )
    assert rows == [{"org_id": "NATO", "start_date": "1952-02-18"}, {"org_id": "NPT", "start_date": "1980-04-17"}]
    status = query(capsys, "SELECT nuclear_status_on('TUR', DATE '2024-01-01') AS s")[0]["s"]
    assert status == "npt_non_nuclear_weapon_state"


def test_nuclear_states(published, capsys, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    rows = query(
        capsys,
        "SELECT entity_id, nuclear_status_on(entity_id, DATE '2025-06-30') AS s FROM entity "
        "WHERE entity_id IN ('IND', 'PAK', 'ISR', 'PRK')",
    )
    assert {r["entity_id"]: r["s"] for r in rows} == dict.fromkeys(
        ["IND", "PAK", "ISR", "PRK"], "nuclear_armed_outside_npt"
    )
    five = query(
        capsys,
        "SELECT DISTINCT entity_id FROM nuclear_status WHERE status = 'npt_nuclear_weapon_state' "
        "AND end_date IS NULL ORDER BY 1",
    )
    assert [r["entity_id"] for r in five] == ["CHN", "FRA", "GBR", "RUS", "USA"]
    npt = query(
        capsys,
        "SELECT count(DISTINCT entity_id) AS today, (SELECT count(DISTINCT entity_id) FROM membership "
        "WHERE org_id = 'NPT' AND role = 'party' AND entity_id NOT IN ('SUN', 'CSK', 'DDR', 'YUG', 'YAR', 'YMD')) AS ever "
        "FROM memberships_as_of(DATE '2025-01-01') WHERE org_id = 'NPT' AND role = 'party'",
    )[0]
    assert npt == {"today": 190, "ever": 191}  # 191 states parties, the DPRK among them until 2003
    prk = query(
        capsys,
        "SELECT nuclear_status_on('PRK', DATE '2002-12-31') AS before, "
        "nuclear_status_on('PRK', DATE '2003-12-31') AS after, is_member_on('NPT', 'PRK', DATE '2002-12-31') AS party_before, "
        "is_member_on('NPT', 'PRK', DATE '2003-12-31') AS party_after",
    )[0]
    assert prk == {
        "before": "npt_non_nuclear_weapon_state",
        "after": "nuclear_armed_outside_npt",
        "party_before": True,
        "party_after": False,
    }


def test_nato_members_to_nuclear_armed_outside_npt(published, capsys, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    rows = query(
        capsys,
        "SELECT supplier, order_year, count(*) AS deals FROM mart_transfer_enriched "
        "WHERE supplier_nato AND recipient_nuclear_status = 'nuclear_armed_outside_npt' "
        "GROUP BY ALL ORDER BY supplier, order_year",
    )
    suppliers = {r["supplier"] for r in rows}
    assert {"Türkiye", "United States", "France"} <= suppliers
    assert all(r["order_year"] >= 1949 for r in rows)


def test_every_row_is_accounted_for(published, capsys, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    rows = query(
        capsys,
        "SELECT source, sum(rows_in) AS rows_in, sum(rows_loaded) AS loaded, "
        "sum(rows_quarantined) AS quarantined FROM load_manifest GROUP BY source ORDER BY source",
    )
    assert [r["source"] for r in rows] == ["atop", "cow", "sipri", "sipri_tiv", "unoda", "wikidata"]
    for r in rows:
        assert r["rows_in"] == r["loaded"] + r["quarantined"] and r["rows_in"] > 0
    release = query(capsys, "SELECT DISTINCT source_release FROM deal")
    assert len(release) == 1 and "trade register generated 13 Apr 2024" in release[0]["source_release"]
    assert "SUBSET" in release[0]["source_release"]
    sipri = query(
        capsys,
        "SELECT count(*) AS deals, sum(tiv_delivered)::DECIMAL(12, 2)::VARCHAR AS tiv, "
        "(SELECT count(*) FROM delivery) AS rows FROM deal",
    )[0]
    assert sipri == {"deals": 6448, "tiv": "631180.41", "rows": 15070}


def test_seed_story_with_sipri_tiv(published, capsys, monkeypatch):
    """SIPRI's own rows (register generated 13 Apr 2024): Turkiye to Pakistan and the S-400 to Turkiye."""
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    rows = query(
        capsys,
        "SELECT deal_id, designation, order_year, numbers_delivered, round(tiv_delivered, 2) AS tiv "
        "FROM deal WHERE (supplier_id = 'TUR' AND recipient_id = 'PAK' AND designation IN "
        "('MilGem -', 'Bayraktar TB-2', 'Akinci', 'ASELPOD')) OR (supplier_id = 'RUS' AND "
        "recipient_id = 'TUR' AND designation = 'S-400 Triumf') ORDER BY deal_id",
    )
    assert [tuple(r.values()) for r in rows] == [
        ("50239", "MilGem -", 2018, 1, 205.0),
        ("59633", "S-400 Triumf", 2017, 2, 130.0),
        ("59831", "ASELPOD", 2016, 8, 8.0),
        ("60951", "ASELPOD", 2017, 16, 16.0),
        ("65816", "Bayraktar TB-2", 2021, 6, 14.4),
        ("65859", "Akinci", 2022, 2, 9.0),
    ]
    enriched = query(
        capsys,
        "SELECT DISTINCT supplier_nato, recipient_nuclear_status FROM mart_transfer_enriched "
        "WHERE supplier_id = 'TUR' AND recipient_id = 'PAK' AND order_year >= 2016",
    )
    assert enriched == [{"supplier_nato": True, "recipient_nuclear_status": "nuclear_armed_outside_npt"}]


def test_status_and_check_commands(published, capsys, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "sipri" in out and "unoda" in out and "mart_transfer_enriched" in out
    assert main(["check"]) == 0
    first = capsys.readouterr().out.split("\n")[0]
    assert first.startswith("0 blocking check(s) failed") or first.startswith("All ")


def test_query_never_imports_the_orchestrator(published):
    code = (
        "import sys; from pipelines.cli import main; main(['query', 'select count(*) from deal']); "
        "print(sorted(m for m in ('dagster', 'great_expectations', 'polars') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"ARMSFLOW_HOME": str(published), "PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.strip().endswith("[]")


def test_unknown_table_is_a_clear_error(published, capsys, monkeypatch):
    monkeypatch.setenv("ARMSFLOW_HOME", str(published))
    assert main(["query", "select * from no_such_table"]) == 1
    assert capsys.readouterr().err.startswith("armsflow: query failed: Catalog Error")
