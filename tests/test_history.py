"""Release history: deal versions kept per release, `armsflow diff`, and the diff identity on both wire formats."""

from __future__ import annotations

import json
import shutil

import duckdb
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.diff import diff_deals
from pipelines.history import advance_versions, deals_at
from tests.conftest import shared
from tests.wire import API_ROWS, LEGACY_ROWS, api_response, legacy_csv

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = pytest.mark.usefixtures("warm_contracts")

# Release B of the API fixture: 71009 dropped, 71010 added, 71003 revised (numbers and TIV), USSR spelled USSR.
API_B = [r.replace("Soviet Union", "USSR") for r in API_ROWS if not r.startswith("71009")]
API_B = [r.replace("2009,Yes,12,Yes,2012,No,New,15,15,180", "2009,Yes,14,Yes,2012,No,New,15,15,210") for r in API_B]
API_B.append("71010,France,Greece,Rafale,FGA aircraft,Aircraft,2021,No,6,No,2022,No,New,55,55,330,No")

# Two deals the matching rule cannot tell apart once both change their numbers: reported as ambiguous.
TWINS_A = [
    "India,Russia,2019,,5,,Igla-S,portable SAM,5,,2020,New,,0.1,0.5,0.5",
    "India,Russia,2019,,7,,Igla-S,portable SAM,7,,2021,New,,0.1,0.7,0.7",
]
TWINS_B = [
    "India,Russia,2019,,6,,Igla-S,portable SAM,6,,2020,New,,0.1,0.6,0.6",
    "India,Russia,2019,,8,,Igla-S,portable SAM,8,,2021,New,,0.1,0.8,0.8",
]
LEGACY_A = LEGACY_ROWS + TWINS_A
LEGACY_B = (
    [
        r.replace("Pakistan,Turkiye,2018", "Pakistan,T\u00fcrkiye,2018").replace(
            "Super Mushshak,trainer aircraft,52,,2022; 2023; 2024", "Super Mushshak,trainer aircraft,50,,2022; 2023"
        )
        for r in LEGACY_ROWS
        if "T-34-85" not in r
    ]
    + TWINS_B
    + ["Greece,France,2021,,6,,Rafale,FGA aircraft,6,,2022,New,,55,330,330"]
)


def _import(tmp_path, name: str, body: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    assert main(["import-sipri", str(path), "--no-contracts", "--accept-smaller"]) == 0


@pytest.fixture(scope="session")
def api_releases_built(baseline_home, tmp_path_factory):
    """The baseline with the API fixture's releases A and B imported after it, built once per session; read-only."""

    def build(folder):
        shutil.copytree(baseline_home, folder / "home")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ARMSFLOW_HOME", str(folder / "home"))
            _import(folder, "a.json", api_response(API_ROWS))
            _import(folder, "b.json", api_response(API_B))

    return shared(tmp_path_factory, "api_releases", build) / "home"


@pytest.fixture
def api_releases(api_releases_built, published_home):
    """A private copy of it in this test's ARMSFLOW_HOME (published_home, replaced), to change freely."""
    shutil.rmtree(published_home)
    shutil.copytree(api_releases_built, published_home)
    return published_home


def _diff_json(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["diff", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _identity(result: dict) -> None:
    c = result["counts"]
    assert c["deals_to"] == c["deals_from"] - c["removed"] + c["added"]


@pytest.mark.integration
def test_api_releases_kept_and_diffed(api_releases, capsys):
    published_home = api_releases  # the baseline, then releases A and B imported
    result = _diff_json(capsys)
    _identity(result)
    c = result["counts"]
    assert (c["deals_from"], c["deals_to"], c["added"], c["removed"], c["ambiguous"]) == (9, 9, 1, 1, 0)
    rows = result["rows"]
    assert [r["deal_key_to"] for r in rows if r["kind"] == "added"] == ["71010"]
    assert [r["deal_key_from"] for r in rows if r["kind"] == "removed"] == ["71009"]
    changed = {(r["deal_key_to"], r["field"], r["old_value"], r["new_value"]) for r in rows if r["kind"] == "changed"}
    assert ("71003", "numbers_delivered", "22", "24") in changed
    assert ("71003", "tiv_delivered", "330", "360") in changed
    assert result["renames"] == [
        {"role": "supplier", "entity_id": "SUN", "old_value": "Soviet Union", "new_value": "USSR", "deals": 1}
    ]
    by_supplier = {r["supplier_name"]: r["tiv_effect"] for r in result["summary"]["supplier"]}
    assert by_supplier["France"] == 330 and by_supplier["Germany"] == -170 and by_supplier["China"] == 30
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        # storage grows by what changed: 9 versions of release A + 3 new versions (71003, 71005 renamed, 71010)
        fixture_keys = [r.split(",")[0] for r in API_ROWS + API_B]
        versions = con.execute(
            "SELECT count(*) FROM deal_version WHERE list_contains(?, deal_key)", [fixture_keys]
        ).fetchone()[0]
        assert versions == 9 + 3
        assert con.execute("SELECT count(*) FROM release_diff WHERE kind = 'added'").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM data_release WHERE source = 'sipri'").fetchone()[0] == 3
    capsys.readouterr()
    assert main(["diff"]) == 0  # the table format prints too
    assert "renames (1)" in capsys.readouterr().out


@pytest.mark.integration
def test_legacy_releases_matched_by_rule_with_ambiguity(published_home, tmp_path, capsys):
    _import(tmp_path, "a.csv", legacy_csv(LEGACY_A))
    _import(tmp_path, "b.csv", legacy_csv(LEGACY_B))
    result = _diff_json(capsys, "--source", "sipri")
    _identity(result)
    c = result["counts"]
    # FROM 8; TO 8. Removed: T-34-85 and the two twins; added: Rafale and the two twins; twins also listed ambiguous.
    assert (c["deals_from"], c["deals_to"], c["removed"], c["added"], c["ambiguous"]) == (8, 8, 3, 3, 4)
    rows = result["rows"]
    assert {r["designation"] for r in rows if r["kind"] == "ambiguous"} == {"Igla-S"}
    renamed = result["renames"]
    assert renamed == [
        {"role": "supplier", "entity_id": "TUR", "old_value": "Turkiye", "new_value": "T\u00fcrkiye", "deals": 1}
    ]
    mush = {(r["field"], r["old_value"], r["new_value"]) for r in rows if r["designation"] == "Super Mushshak"}
    assert ("numbers_delivered", "52", "50") in mush and ("last_delivery_year", "2024", "2023") in mush


def test_versions_extend_and_deals_at_reads_each_release():
    def deal(key, tiv):
        return {"deal_id": key, "source_format": "trade-register-csv", "payload_sha256": "x", "tiv_delivered": tiv}

    r1 = pl.DataFrame([deal("1", 1.0), deal("2", 2.0)])
    r2 = pl.DataFrame([deal("1", 1.0), deal("3", 3.0)])
    r3 = pl.DataFrame([deal("1", 1.5), deal("2", 2.0), deal("3", 3.0)])
    v = advance_versions(pl.DataFrame(), r1, "b1", "one", None)
    v = advance_versions(v, r2, "b2", "two", "b1")
    v = advance_versions(v, r3, "b3", "three", "b2")
    assert v.height == 5  # 1@b1-b2, 2@b1, 3@b2-b3, 1'@b3, 2@b3
    for rel, frame in (("b1", r1), ("b2", r2), ("b3", r3)):
        assert sorted(deals_at(v, rel)["deal_key"]) == sorted(frame["deal_id"])
    d = diff_deals(deals_at(v, "b1"), deals_at(v, "b3"))
    assert d.counts()["deals_to"] == d.counts()["deals_from"] - d.counts()["removed"] + d.counts()["added"]
    assert d.counts()["changed_deals"] == 1 and d.counts()["added"] == 1


@pytest.mark.integration
def test_release_switches_back_and_forth(api_releases, capsys):
    published_home = api_releases  # the baseline, then releases A and B imported
    db = str(published_home / "warehouse.duckdb")
    with duckdb.connect(db, read_only=True) as con:
        rel_a, rel_b = [r[0] for r in con.execute("SELECT release_id FROM data_release ORDER BY 1").fetchall()[-2:]]
        versions = con.execute("SELECT count(*) FROM deal_version").fetchone()[0]
    switches = (
        (rel_a, "71009", "71010", []),
        (rel_b, "71010", "71009", []),
        (rel_a[:18], "71009", "", ["--no-contracts"]),
    )
    for release, present, absent, flags in switches:  # contracts validate A and B; back to A by prefix: rules only
        assert main(["refresh", "--release", release, "--accept-smaller", *flags]) == 0
        with duckdb.connect(db, read_only=True) as con:
            keys = {r[0] for r in con.execute("SELECT deal_id FROM deal").fetchall()}
            assert present in keys and absent not in keys and len(keys) == 9
            mart = {r[0] for r in con.execute("SELECT deal_id FROM mart_transfer_enriched").fetchall()}
            assert mart == keys  # the marts follow
            assert con.execute("SELECT count(*) FROM deal_version").fetchone()[0] == versions  # no new versions
            assert con.execute("SELECT count(*) FROM data_release").fetchone()[0] == 3
        capsys.readouterr()
        assert main(["check", "--no-contracts"]) == 0
        with duckdb.connect(db, read_only=True) as con:
            orphans = con.execute(
                "SELECT count(*) FROM delivery d LEFT JOIN load_manifest m ON m.sha256 = d.payload_sha256 "
                "AND m.batch_id = (SELECT max(batch_id) FROM load_manifest WHERE source = 'sipri') "
                "WHERE m.sha256 IS NULL OR d.source_release IS NULL"
            ).fetchone()[0]
        assert orphans == 0  # every delivery row names its payload and release
    capsys.readouterr()
    assert main(["status"]) == 0
    listing = [line for line in capsys.readouterr().out.splitlines() if " sipri " in line]
    assert [line.split()[:2] for line in listing if line.startswith(" *")] == [["*", "sipri"]]
    current = next(line for line in listing if line.startswith(" *"))
    assert rel_a in current and any(rel_b in line for line in listing)


@pytest.mark.integration
def test_noop_refresh_touches_nothing_and_force_rebuilds(published_home, tmp_path, capsys, monkeypatch):
    from pipelines.config import load_settings
    from pipelines.runs import identity, read_run_log

    published = published_home / "warehouse.duckdb"
    before = identity(published)
    assert main(["refresh"]) == 0
    assert "Nothing to do" in capsys.readouterr().out
    assert identity(published) == before  # same inode, size and mtime: not copied, not replaced
    assert read_run_log(load_settings())[-1]["outcome"] == "no-op"
    assert not (published_home / "builds").exists() or not any((published_home / "builds").iterdir())
    # a changed reference file is a reason to rebuild
    from pipelines.config import CONTRACTS_DIR

    ref = tmp_path / "reference"
    shutil.copytree(CONTRACTS_DIR / "reference", ref)
    (ref / "NOTES.txt").write_text("a local note\n")
    monkeypatch.setenv("ARMSFLOW_REFERENCE_DIR", str(ref))
    assert main(["refresh", "--no-contracts"]) == 0
    assert "Nothing to do" not in capsys.readouterr().out and identity(published) != before
    rebuilt = identity(published)
    assert main(["refresh", "--no-contracts"]) == 0 and identity(published) == rebuilt  # now a no-op again
    assert main(["refresh", "--no-contracts", "--force"]) == 0 and identity(published) != rebuilt
    assert read_run_log(load_settings())[-1]["published"] is True
