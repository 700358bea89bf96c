"""Each domain rule and contract, fed a deliberately wrong input through the normal path, blocks publication.

A baseline warehouse is published from the bundled data first; then the wrong input arrives (a served
response, a reference file, or an imported file). The named check must fail, the CLI must exit non-zero
naming the offending row, and the published file must be byte-for-byte what it was.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.config import CONTRACTS_DIR
from tests.served import Sources, recorded, serve
from tests.wire import API_ROWS, LEGACY_ROWS, legacy_csv

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("warm_contracts")]


def unoda_with(name: str, *actions: tuple[str, str, str]) -> bytes:
    doc = recorded("unoda", name)
    doc["data"]["treaty_"]["data"]["actions_"] += [
        {"date": f"{d} 00:00:00", "action_type_": a, "state": {"name": s}, "depositary": {"short_name": "USA"}}
        for d, a, s in actions
    ]
    return json.dumps(doc, ensure_ascii=False).encode()


def reference_with(tmp_path: Path, monkeypatch, file: str, edit) -> None:
    ref = tmp_path / "reference"
    shutil.copytree(CONTRACTS_DIR / "reference", ref)
    path = ref / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setenv("ARMSFLOW_REFERENCE_DIR", str(ref))


def refused(home: Path, capsys, argv: list[str], check: str, *words: str) -> str:
    before = (home / "warehouse.duckdb").read_bytes()
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    report = err[err.index("armsflow: Refresh not published") :]
    assert f"FAILED  {check} " in report, report
    for w in words:
        assert w in report, report
    assert (home / "warehouse.duckdb").read_bytes() == before
    last = json.loads((home / "runs.jsonl").read_text().splitlines()[-1])  # the refused run's record
    assert last["published"] is False and check in last["checks"]["failed"]
    assert not any((home / "build").iterdir())  # the private build is gone
    return report


LIVE_UNODA = ["refresh", "--live", "--source", "unoda", "--no-contracts"]


def test_pakistan_ratifying_the_npt(published_home, httpserver, monkeypatch, capsys):
    serve(
        httpserver, monkeypatch, Sources(unoda={"npt": unoda_with("npt", ("1999-01-01", "Ratification", "Pakistan"))})
    )
    report = refused(published_home, capsys, LIVE_UNODA, "npt_never_parties", "entity_id=PAK", "start_date=1999-01-01")
    assert "FAILED  nuclear_armed_not_party" in report


def test_the_dprk_still_a_party_after_withdrawing(published_home, httpserver, monkeypatch, capsys):
    doc = recorded("unoda", "npt")
    doc["data"]["treaty_"]["data"]["actions_"] = [
        a for a in doc["data"]["treaty_"]["data"]["actions_"] if a["action_type_"] != "Withdrawal"
    ]
    serve(httpserver, monkeypatch, Sources(unoda={"npt": json.dumps(doc, ensure_ascii=False).encode()}))
    refused(published_home, capsys, LIVE_UNODA, "npt_never_parties", "entity_id=PRK", "after its 2003 withdrawal")


def test_a_sixth_nuclear_weapon_state(published_home, tmp_path, monkeypatch, capsys):
    reference_with(
        tmp_path,
        monkeypatch,
        "nuclear_facts.csv",
        lambda t: t + "TUR,npt_nuclear_weapon_state,1990-01-01,invented for a test\n",
    )
    refused(published_home, capsys, ["refresh", "--no-contracts"], "npt_nuclear_weapon_states", "entity_id=TUR")


def test_the_soviet_union_acting_after_1991(published_home, httpserver, monkeypatch, capsys):
    serve(
        httpserver,
        monkeypatch,
        Sources(unoda={"cwc": unoda_with("cwc", ("1995-01-01", "Signatory", "Union of Soviet Socialist Republics"))}),
    )
    refused(
        published_home,
        capsys,
        LIVE_UNODA,
        "membership_within_entity_lifetime",
        "entity_id=SUN",
        "start_date=1995-01-01",
    )


def test_turkiye_joining_nato_in_1960(published_home, tmp_path, monkeypatch, capsys):
    reference_with(
        tmp_path,
        monkeypatch,
        "alliance_membership.csv",
        lambda t: re.sub(r"^NATO,TUR,([^,]*),1952-02-18", r"NATO,TUR,\1,1960-02-18", t, flags=re.M),
    )
    report = refused(
        published_home,
        capsys,
        ["refresh", "--no-contracts"],
        "nato_accessions",
        "entity_id=TUR",
        "found_start=1960-02-18",
        "expected_start=1952-02-18",
    )
    assert "FAILED  nato_member_count" in report


def test_wikidata_claiming_1960_is_overridden_and_reported(published_home, httpserver, monkeypatch, capsys):
    nato = recorded("wikidata", "nato")
    for b in nato["results"]["bindings"]:
        if b.get("iso3", {}).get("value") == "TUR":
            b["start"]["value"] = "1960-02-18T00:00:00Z"
    serve(httpserver, monkeypatch, Sources(wikidata={"nato": json.dumps(nato).encode()}))
    capsys.readouterr()
    assert main(["refresh", "--live", "--source", "wikidata", "--no-contracts"]) == 0
    out = capsys.readouterr().out
    assert "WARNING wikidata_disagreements" in out
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "SELECT start_date::VARCHAR FROM membership WHERE org_id='NATO' AND entity_id='TUR'"
        ).fetchone() == ("1952-02-18",)
        assert con.execute(
            "SELECT wikidata_value, curated_value FROM reconciliation WHERE org_id='NATO' AND entity_id='TUR'"
        ).fetchone() == ("1960-02-18", "1952-02-18")


def test_overlapping_intervals(published_home, tmp_path, monkeypatch, capsys):
    reference_with(
        tmp_path,
        monkeypatch,
        "alliance_membership.csv",
        lambda t: t + "CSTO,ARM,Armenia,1998-01-01,2001-01-01,accession,withdrawal,duplicate for a test\n",
    )
    refused(published_home, capsys, ["refresh", "--no-contracts"], "membership_no_overlap", "entity_id=ARM")


def test_nato_and_warsaw_pact_at_once(published_home, tmp_path, monkeypatch, capsys):
    reference_with(
        tmp_path,
        monkeypatch,
        "alliance_membership.csv",
        lambda t: re.sub(r"^NATO,POL,([^,]*),1999-03-12", r"NATO,POL,\1,1990-03-12", t, flags=re.M),
    )
    refused(published_home, capsys, ["refresh", "--no-contracts"], "nato_and_warsaw_pact_exclusive", "entity_id=POL")


def test_a_membership_before_the_organisation_existed(published_home, tmp_path, monkeypatch, capsys):
    reference_with(
        tmp_path,
        monkeypatch,
        "alliance_membership.csv",
        lambda t: t + "ANZUS,GBR,United Kingdom,1950-01-01,1951-01-01,accession,withdrawal,invented for a test\n",
    )
    refused(published_home, capsys, ["refresh", "--no-contracts"], "membership_within_org_lifetime", "entity_id=GBR")


def test_a_negative_tiv(published_home, httpserver, monkeypatch, capsys):
    rows = [
        *API_ROWS[:-1],
        "71009,Germany,Greece,Leopard-2A4,tank,Armoured vehicles,1998,No,170,No,2005,No,Second hand,2.5,1,-5,No",
    ]
    serve(httpserver, monkeypatch, Sources(sipri_rows=rows))
    refused(
        published_home,
        capsys,
        ["refresh", "--live", "--source", "sipri"],
        "contract_delivery",
        "expect_column_values_to_be_between(column=tiv_delivered, min_value=0",
        "-5",
    )


def test_a_deal_from_a_state_to_itself(published_home, httpserver, monkeypatch, capsys):
    rows = [*API_ROWS, "71099,Turkiye,Turkiye,Bayraktar TB2,armed UAV,Aircraft,2019,No,6,No,2020,No,New,,,,No"]
    serve(httpserver, monkeypatch, Sources(sipri_rows=rows))
    refused(
        published_home,
        capsys,
        ["refresh", "--live", "--source", "sipri", "--no-contracts"],
        "deal_supplier_not_recipient",
        "deal_id=71099",
    )


def test_a_delivery_in_the_future(published_home, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes(
        legacy_csv([*LEGACY_ROWS, "India,France,2016,,36,,Rafale,FGA aircraft,36,,2099,New,,55,1980,1980"])
    )
    refused(
        published_home,
        capsys,
        ["import-sipri", str(path), "--no-contracts"],
        "deal_delivery_years",
        "delivery_year=2099",
    )


def test_a_delivery_before_the_order_only_warns(home, httpserver, monkeypatch, capsys):
    """SIPRI's own register has such deals (8206: ordered 1958, a delivery in 1956): never refuse them."""
    rows = [*API_ROWS, "71098,France,India,Mirage-2000,FGA aircraft,Aircraft,1990,No,6,No,1985,No,New,,,,No"]
    serve(httpserver, monkeypatch, Sources(sipri_rows=rows))
    assert main(["refresh", "--live", "--source", "sipri", "--no-contracts"]) == 0
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute(
            "SELECT severity, passed, sample FROM check_result WHERE check_name = 'deal_delivery_before_order'"
        ).fetchone()
    assert got[:2] == ("warn", False) and "deal_id=71098" in got[2] and "delivery_year=1985" in got[2]


def test_more_delivered_than_ordered(published_home, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes(
        legacy_csv([*LEGACY_ROWS, "India,France,2016,,36,,Rafale,FGA aircraft,40,,2020; 2021,New,,55,1980,2200"])
    )
    refused(
        published_home,
        capsys,
        ["import-sipri", str(path), "--no-contracts"],
        "deal_delivered_within_ordered",
        "designation=Rafale",
        "numbers_ordered=36",
        "numbers_delivered=40",
    )


def test_an_interval_that_ends_before_it_starts(published_home, tmp_path, monkeypatch, capsys):
    reference_with(
        tmp_path,
        monkeypatch,
        "alliance_membership.csv",
        lambda t: t + "ANZUS,FJI,Fiji,1990-01-01,1980-01-01,accession,withdrawal,invented for a test\n",
    )
    refused(
        published_home,
        capsys,
        ["refresh", "--no-contracts"],
        "membership_start_before_end",
        "entity_id=FJI",
        "start_date=1990-01-01",
    )


def test_an_alias_pointing_at_no_entity(published_home, tmp_path, monkeypatch, capsys):
    reference_with(tmp_path, monkeypatch, "aliases.csv", lambda t: t + "sipri,Turkiye,TUR-OLD,typo for a test\n")
    refused(published_home, capsys, ["refresh", "--no-contracts"], "deal_entities_resolved", "TUR-OLD")


def test_warnings_report_but_publish(published_home, httpserver, monkeypatch, capsys):
    rows = [*API_ROWS, "71097,France,India,Mirage-2000,FGA aircraft,Aircraft,1982,No,10,No,1985,No,New,20,20,260,No"]
    serve(
        httpserver,
        monkeypatch,
        Sources(
            sipri_rows=rows,
            unoda={"npt": unoda_with("npt", ("2005-01-01", "Signatory", "Democratic People's Republic of Korea"))},
        ),
    )
    before = (published_home / "warehouse.duckdb").read_bytes()
    capsys.readouterr()
    assert main(["refresh", "--live", "--source", "sipri", "--source", "unoda", "--no-contracts"]) == 0
    out = capsys.readouterr().out
    assert "WARNING delivery_tiv_arithmetic" in out and "deal_id=71097" in out and "expected=200.0" in out
    assert "WARNING treaty_action_after_withdrawal" in out and "entity_id=PRK" in out
    assert (published_home / "warehouse.duckdb").read_bytes() != before
