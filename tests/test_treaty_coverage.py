"""Treaty coverage is data and is checked: the recordings against the depositaries' published counts.

A recording that claims completeness and lacks a party is refused (treaty_coverage_complete, error); one labelled
partial only warns (treaty_coverage_partial). Both are fed through the normal path: a served UNODA response and a
reference directory, as in test_gate.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from pipelines.cli import main
from tests.conftest import refreshed_home
from tests.served import Sources, recorded, serve
from tests.test_gate import LIVE_UNODA, reference_with, refused

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return refreshed_home(tmp_path_factory, "coverage", "--no-contracts")


@pytest.fixture
def published_home(baseline, home):
    shutil.copytree(baseline, home)
    return home


def unoda_without(name: str, state: str) -> bytes:
    doc = recorded("unoda", name)
    actions = doc["data"]["treaty_"]["data"]["actions_"]
    doc["data"]["treaty_"]["data"]["actions_"] = [a for a in actions if a["state"]["name"] != state]
    assert len(doc["data"]["treaty_"]["data"]["actions_"]) < len(actions)
    return json.dumps(doc, ensure_ascii=False).encode()


def loaded_counts(home) -> dict[str, tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("""
            SELECT t.treaty_id, t.depositary_parties, t.depositary_signatories, t.claims_complete,
              (SELECT count(DISTINCT entity_id) FROM membership m WHERE m.org_id = t.treaty_id AND role = 'party'
                 AND start_date <= recorded_as_of AND (end_date IS NULL OR end_date > recorded_as_of
                 OR (depositary_counts_withdrawn AND closed_by = 'withdrawal'))),
              (SELECT count(DISTINCT entity_id) FROM membership m WHERE m.org_id = t.treaty_id AND role = 'signatory'
                 AND start_date <= recorded_as_of AND (end_date IS NULL OR end_date > recorded_as_of))
            FROM treaty t""").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_complete_recordings_match_the_depositary_counts(baseline):
    counts = loaded_counts(baseline)
    # Depositary counts: UNTC status 2026-02-03 (ATT, CTBT, CWC, TPNW); UNODA 2026-08-22 (NPT, BWC).
    assert {t: c[:2] for t, c in counts.items() if c[2]} == {
        "NPT": (191, 0),
        "CTBT": (178, 9),
        "TPNW": (74, 25),
        "ATT": (117, 25),
        "BWC": (189, 4),
        "CWC": (193, 1),
    }
    for treaty, (parties, signatories, complete, loaded_p, loaded_s) in counts.items():
        if complete:
            assert (loaded_p, loaded_s) == (parties, signatories), treaty
    assert counts["PTBT"][2] is False and counts["PTBT"][3] < counts["PTBT"][0]  # partial, labelled so


def test_a_complete_recording_missing_a_party_is_refused(published_home, httpserver, monkeypatch, capsys):
    serve(httpserver, monkeypatch, Sources(unoda={"att": unoda_without("att", "Cameroon")}))
    refused(
        published_home,
        capsys,
        LIVE_UNODA,
        "treaty_coverage_complete",
        "treaty_id=ATT",
        "depositary_parties=117",
        "loaded_parties=116",
    )


def test_a_partial_recording_missing_a_party_only_warns(published_home, httpserver, monkeypatch, tmp_path, capsys):
    reference_with(
        tmp_path,
        monkeypatch,
        "treaties.csv",
        lambda t: t.replace(
            "conventional arms trade,2026-02-03,117,25,false,true",
            "conventional arms trade,2026-02-03,117,25,false,false",
        ),
    )
    serve(httpserver, monkeypatch, Sources(unoda={"att": unoda_without("att", "Cameroon")}))
    before = (published_home / "warehouse.duckdb").read_bytes()
    capsys.readouterr()
    assert main(LIVE_UNODA) == 0
    out = capsys.readouterr().out
    assert "WARNING treaty_coverage_partial" in out and "treaty_id=ATT" in out and "loaded_parties=116" in out
    assert "FAILED  treaty_coverage_complete" not in out
    assert (published_home / "warehouse.duckdb").read_bytes() != before


def test_the_bundled_ptbt_is_reported_partial(baseline):
    with duckdb.connect(str(baseline / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT check_name, passed, severity, sample FROM check_result WHERE check_name LIKE 'treaty_coverage%' "
            "AND run_id = (SELECT max(run_id) FROM check_result)"
        ).fetchall()
    by_name = {r[0]: r[1:] for r in rows}
    assert by_name["treaty_coverage_complete"][0] is True
    partial = by_name["treaty_coverage_partial"]
    assert partial[:2] == (False, "warn") and "treaty_id=PTBT" in partial[2]


def test_the_coverage_view_reports_every_treaty(baseline):
    with duckdb.connect(str(baseline / "warehouse.duckdb"), read_only=True) as con:
        rows = dict(con.execute("SELECT treaty_id, coverage FROM treaty_coverage").fetchall())
    assert rows == {
        "NPT": "complete",
        "CTBT": "complete",
        "TPNW": "complete",
        "PTBT": "partial",
        "ATT": "complete",
        "BWC": "complete",
        "CWC": "complete",
    }
