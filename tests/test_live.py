"""The live path against a local HTTP server speaking the real wire formats."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.config import SOURCES
from pipelines.sources.sipri import API_HEADER
from tests.served import Sources, recorded, serve
from tests.wire import API_ROWS, api_response

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("warm_contracts")]


def published(home: Path):
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def test_live_sipri_loads_exactly_what_is_served(home, httpserver, monkeypatch, capsys):
    sources = serve(httpserver, monkeypatch)
    assert main(["refresh", "--live", "--source", "sipri", "--no-contracts"]) == 0  # contracts: test_history, test_gate
    windows = [json.loads(body)["filters"][0] for src, body in sources.requests if src == "sipri"]
    years = datetime.now(timezone.utc).year
    assert windows[0]["value1"] == 1950 and windows[-1]["value2"] == years and len(windows) == (years - 1950) // 10 + 1
    served = [r.split(",") for r in API_ROWS]
    with published(home) as con:
        assert con.execute("SELECT count(*) FROM deal").fetchone()[0] == len({r[0] for r in served})
        assert con.execute("SELECT count(*) FROM delivery").fetchone()[0] == len(served)
        tiv_deal, tiv_delivery, numbers = con.execute(
            "SELECT (SELECT sum(tiv_delivered) FROM deal), sum(tiv_delivered), sum(numbers_delivered) FROM delivery"
        ).fetchone()
        assert tiv_deal == pytest.approx(sum(float(r[15]) for r in served))
        assert tiv_delivery == pytest.approx(tiv_deal) and numbers == sum(int(r[8]) for r in served)
        manifest = con.execute(
            "SELECT count(*), sum(rows_in), sum(rows_loaded), sum(rows_quarantined), min(url) "
            "FROM load_manifest WHERE source = 'sipri'"
        ).fetchone()
        assert manifest[:4] == (len(windows), len(served), len(served), 0)
        assert manifest[4].startswith(httpserver.url_for(""))
        raw = con.execute("SELECT raw_path, sha256 FROM load_manifest WHERE source = 'sipri' LIMIT 1").fetchone()
        assert hashlib.sha256(Path(raw[0]).read_bytes()).hexdigest() == raw[1] and raw[0].endswith(raw[1] + ".json")
        # the sources not asked for were replayed from the bundled recordings
        assert con.execute("SELECT count(DISTINCT source) FROM load_manifest").fetchone()[0] == len(SOURCES)
        pak = con.execute(
            "SELECT supplier_nato, recipient_nuclear_status FROM mart_transfer_enriched WHERE deal_id = '71001'"
        ).fetchone()
        assert pak == (True, "nuclear_armed_outside_npt")


def test_live_treaties_and_alliances_through_the_same_parsers(home, httpserver, monkeypatch):
    sources = serve(httpserver, monkeypatch)
    assert main(["refresh", "--live", "--source", "unoda", "--source", "wikidata", "--no-contracts"]) == 0
    assert {n for s, n in sources.requests if s == "unoda"} == {"npt", "ctbt", "tpnw", "test_ban", "att", "bwc", "cwc"}
    assert len([n for s, n in sources.requests if s == "wikidata"]) == 7
    npt_served = len(recorded("unoda", "npt")["data"]["treaty_"]["data"]["actions_"])
    with published(home) as con:
        assert con.execute("SELECT count(*) FROM treaty_action WHERE treaty_id = 'NPT'").fetchone()[0] == npt_served
        assert (
            con.execute("SELECT count(*) FROM memberships_as_of(DATE '2024-12-31') WHERE org_id = 'NATO'").fetchone()[0]
            == 32
        )


def test_unknown_names_are_quarantined_and_reported(home, httpserver, monkeypatch, capsys):
    npt = recorded("unoda", "npt")
    npt["data"]["treaty_"]["data"]["actions_"].append(
        {
            "date": "2030-01-01 00:00:00",
            "action_type_": "Accession",
            "state": {"name": "Republic of Atlantis"},
            "depositary": {"short_name": "USA"},
        }
    )
    nato = recorded("wikidata", "nato")
    nato["results"]["bindings"].append(
        {
            "country": {"type": "uri", "value": "http://www.wikidata.org/entity/Q999999999"},
            "countryLabel": {"xml:lang": "en", "type": "literal", "value": "Q999999999"},
        }
    )
    serve(
        httpserver,
        monkeypatch,
        Sources(unoda={"npt": json.dumps(npt).encode()}, wikidata={"nato": json.dumps(nato).encode()}),
    )
    assert main(["refresh", "--live", "--source", "unoda", "--source", "wikidata", "--no-contracts"]) == 0
    out = capsys.readouterr().out
    assert "unoda: Republic of Atlantis" in out and "wikidata: Q999999999" in out and "quarantined_rows" in out
    with published(home) as con:
        rows = con.execute("SELECT source, stage, reason FROM quarantine ORDER BY source").fetchall()
        assert rows == [
            (
                "unoda",
                "resolve",
                "state 'Republic of Atlantis' matches no entity; add it to data_contracts/reference/aliases.csv",
            ),
            (
                "wikidata",
                "resolve",
                "item 'Q999999999' matches no entity; add it to data_contracts/reference/aliases.csv",
            ),
        ]
        rows_in, loaded, quarantined = con.execute(
            "SELECT sum(rows_in), sum(rows_loaded), sum(rows_quarantined) FROM load_manifest WHERE source = 'unoda'"
        ).fetchone()
        assert rows_in == loaded + quarantined and quarantined == 1


@pytest.mark.parametrize(
    "change, words",
    [
        ({"sipri_status": 500}, "HTTP 500"),
        ({"sipri_delay_s": 1.5}, "no answer within the 0.5 s timeout"),
        ({"sipri_body": b'{"bytes": "VHJhbnNmZXJz'}, "response is not valid JSON"),
        ({"sipri_body": b'{"bytes": "%%%"}'}, "not valid base64"),
        (
            {"sipri_body": api_response(header=[*API_HEADER[:-1], "Local prod."])},
            "header changed; missing columns ['Local production'], unexpected columns ['Local prod.']",
        ),
    ],
)
def test_a_failed_refresh_leaves_the_published_warehouse_alone(
    published_home, httpserver, monkeypatch, capsys, change, words
):
    home = published_home  # what `armsflow refresh --no-contracts` publishes
    before = (home / "warehouse.duckdb").read_bytes()
    monkeypatch.setenv("ARMSFLOW_TIMEOUT", "0.5")
    serve(httpserver, monkeypatch, Sources(**change))
    capsys.readouterr()
    assert main(["refresh", "--live", "--source", "sipri", "--no-contracts"]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("armsflow: sipri: ") and words in last and "Traceback" not in err
    assert "published warehouse was left unchanged" in last
    assert (home / "warehouse.duckdb").read_bytes() == before
    # pytest-httpserver answers one request at a time: let the deliberately slow answer end before the next test
    # (which would otherwise wait behind it and time out itself)
    time.sleep(change.get("sipri_delay_s", 0))


def test_bad_rows_are_quarantined_not_dropped(home, httpserver, monkeypatch, capsys):
    rows = [
        *API_ROWS,
        "71096,France,India,Rafale,FGA aircraft,Aircraft,2016,No,36,No,2021,No,New,55,55,n/a,No",
        "71095,Atlantis,India,Rafale,FGA aircraft,Aircraft,2016,No,36,No,2021,No,New,55,55,1980,No",
    ]
    serve(httpserver, monkeypatch, Sources(sipri_rows=rows))
    assert main(["refresh", "--live", "--source", "sipri", "--no-contracts"]) == 0
    assert "sipri: Atlantis" in capsys.readouterr().out
    with published(home) as con:
        q = con.execute("SELECT stage, reason FROM quarantine WHERE source = 'sipri' ORDER BY stage").fetchall()
        assert q == [
            ("parse", "TIV delivery values 'n/a' is not a number"),
            ("resolve", "supplier 'Atlantis' matches no entity; add it to data_contracts/reference/aliases.csv"),
        ]
        assert con.execute(
            "SELECT sum(rows_in) - sum(rows_loaded) - sum(rows_quarantined), sum(rows_quarantined) "
            "FROM load_manifest WHERE source = 'sipri'"
        ).fetchone() == (0, 2)


def test_unreachable_source_names_source_and_url(home, capsys):
    assert main(["refresh", "--live", "--source", "unoda", "--no-contracts"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("armsflow: unoda: could not fetch http://127.0.0.1:9/") and "ARMSFLOW_UNODA_URL" in last
    assert "connection refused" in last


def test_country_year_tiv_is_zero_only_where_figures_exist(home, httpserver, monkeypatch):
    serve(httpserver, monkeypatch)
    assert main(["refresh", "--live", "--source", "sipri", "--no-contracts"]) == 0
    with published(home) as con:
        assert con.execute(
            "SELECT tiv_imported FROM mart_country_year WHERE entity_id = 'PAK' AND year = 2023"
        ).fetchone() == (200.0,)
        assert con.execute(
            "SELECT tiv_imported FROM mart_country_year WHERE entity_id = 'PAK' AND year = 1990"
        ).fetchone() == (0.0,)
    # a recording never replaces a live pull unless asked; asked, the bundled SIPRI subset brings per-year TIV
    assert main(["refresh", "--source", "sipri", "--replay", "--no-contracts", "--accept-smaller"]) == 0
    with published(home) as con:
        assert con.execute(
            "SELECT round(tiv_imported, 2), tiv_basis FROM mart_country_year WHERE entity_id = 'PAK' AND year = 2023"
        ).fetchone() == (2129.35, "register")
