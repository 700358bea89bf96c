"""Each fix of issue 8 to the bundled facts, checked where it lands: recordings, curated files, the warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import entities as ent
from pipelines import membership as mem
from pipelines.config import CONTRACTS_DIR, RECORDED_DIR
from pipelines.sources.unoda import parse_treaty_actions
from tests.conftest import refreshed_home

REFERENCE = CONTRACTS_DIR / "reference"
D = date.fromisoformat


def recorded_actions(short_name: str) -> pl.DataFrame:
    body = (RECORDED_DIR / "unoda" / f"{short_name}.json").read_bytes()
    frame, quarantine, _ = parse_treaty_actions(body, short_name)
    assert quarantine.height == 0
    return frame


def test_every_curated_row_carries_a_source():
    for path in sorted(REFERENCE.glob("*.csv")):
        frame = pl.read_csv(path, infer_schema_length=0)
        column = "spelling_source" if path.name == "aliases.csv" else "source"  # aliases.source = the data source
        assert column in frame.columns, path.name
        empty = frame.filter(pl.col(column).is_null() | (pl.col(column).str.strip_chars() == ""))
        assert empty.height == 0, f"{path.name}: rows without a source: {empty.head(3).to_dicts()}"


# Rows whose source still says "unverified", with the reason (see data_contracts/reference/NOTES.md). Anything
# else marked unverified fails the test below: a new unchecked fact has to be sourced or listed here on purpose.
UNVERIFIED_ALLOWED = {
    (
        "alliance_membership.csv",
        "RIO_TREATY",
        "VEN",
    ): "deposit date unseen; the start 1949-05-14 (approving law) is a lower bound",
    (
        "alliance_membership.csv",
        "RIO_TREATY",
        "TTO",
    ): "1967-04-06 may be the signature date; OAS table B-29 not seen that far",
}


def test_unverified_curated_rows_are_only_the_listed_ones():
    found = set()
    for path in sorted(REFERENCE.glob("*.csv")):
        frame = pl.read_csv(path, infer_schema_length=0)
        column = "spelling_source" if path.name == "aliases.csv" else "source"
        # the loader's own rule (a note that admits a date was not verified counts too)
        admitted = mem.unverified(frame) if column == "source" else pl.col(column).str.contains("(?i)unverified")
        for row in frame.filter(admitted).iter_rows(named=True):
            found.add((path.name, row[frame.columns[0]], row[frame.columns[1]]))  # e.g. (org_id, entity_id)
    assert not found - set(UNVERIFIED_ALLOWED), (
        f"unverified rows not in the allow-list: {sorted(found - set(UNVERIFIED_ALLOWED))}"
    )
    assert not set(UNVERIFIED_ALLOWED) - found, "allow-list entries that are verified now: drop them"


def test_cameroon_ratified_the_att_on_the_untc_date():
    cameroon = recorded_actions("att").filter(pl.col("state_name") == "Cameroon")
    assert sorted(zip(cameroon["action"], cameroon["action_date"], strict=True)) == [
        ("ratification", D("2018-06-18")),
        ("signature", D("2014-12-03")),
    ]


def test_the_bwc_joiners_of_2007_to_2025_are_recorded():
    bwc = recorded_actions("bwc").filter(pl.col("action").is_in(["ratification", "accession"]))
    joined = dict(zip(bwc["state_name"], bwc["action_date"], strict=True))
    assert {s: joined.get(s) for s in ("Gabon", "Liberia", "Niue", "South Sudan", "Tuvalu", "Comoros", "Kiribati")} == {
        "Gabon": D("2007-08-16"),
        "Liberia": D("2016-11-04"),
        "Niue": D("2018-06-14"),
        "South Sudan": D("2023-02-15"),
        "Tuvalu": D("2024-06-28"),
        "Comoros": D("2025-02-14"),
        "Kiribati": D("2025-05-20"),
    }


def _rio() -> pl.DataFrame:
    return pl.read_csv(REFERENCE / "alliance_membership.csv", infer_schema_length=0).filter(
        pl.col("org_id") == "RIO_TREATY"
    )


def test_rio_treaty_entry_into_force_holds_exactly_the_two_thirds_of_article_22():
    """20 signatories on 1948-12-03 (19 in 1947, Nicaragua 1948-10-15): in force on the 14th deposit, Costa Rica's
    of that day; every state starting on 1948-12-03 deposited by then, so there must be exactly 14 of them."""
    founding = _rio().filter(pl.col("start_date") == "1948-12-03")
    assert founding.height == 14
    assert "CRI" in founding["entity_id"].to_list() and "VEN" not in founding["entity_id"].to_list()


def test_rio_treaty_venezuela_joined_after_its_1949_approving_law():
    ven = _rio().filter(pl.col("entity_id") == "VEN").row(0, named=True)
    assert D(ven["start_date"]) >= D("1949-05-14") and ven["start_event"] == "ratification"


def test_rio_treaty_alba_exits_follow_atop():
    """Bolivia and Nicaragua end where ATOP 5.1 (alliance 3075) ends them; Venezuela keeps its sourced 2015-05-14."""
    atop = pl.read_csv(RECORDED_DIR / "atop" / "atop5_1m.csv", infer_schema_length=0).filter(pl.col("atopid") == "3075")
    exits = {
        row["member"]: date(int(row["yrexit"]), int(row["moexit"]), int(row["dayexit"]))
        for row in atop.filter(pl.col("yrexit") != "0").iter_rows(named=True)
    }
    ends = dict(zip(_rio()["entity_id"], _rio()["end_date"], strict=True))
    assert D(ends["BOL"]) == exits["145"] and D(ends["NIC"]) == exits["93"]


def test_rio_treaty_bolivia_exit_respects_article_25():
    rio = pl.read_csv(REFERENCE / "alliance_membership.csv", infer_schema_length=0).filter(
        (pl.col("org_id") == "RIO_TREATY") & (pl.col("entity_id") == "BOL")
    )
    end = D(rio["end_date"][0])
    assert end != D("2013-11-17") and end >= D("2014-06-05")  # announced 2012-06-05; effect two years after notice


def test_dependent_territories_have_a_sovereign_and_are_no_states():
    entities = ent.reference_entities()
    kind = dict(zip(entities["entity_id"], entities["kind"], strict=True))
    sovereign = dict(zip(entities["entity_id"], entities["sovereign_id"], strict=True))
    for code, sov in (("GUM", "USA"), ("PRI", "USA"), ("GRL", "DNK"), ("HKG", "CHN"), ("GIB", "GBR"), ("JEY", "GBR")):
        assert (kind[code], sovereign[code]) == ("dependent_territory", sov)
    assert (kind["ATA"], sovereign["ATA"]) == ("dependent_territory", None)
    assert kind["COK"] == kind["NIU"] == "state"  # free association, own treaty actions
    assert sum(k == "dependent_territory" for k in kind.values()) == 50


def test_a_territory_is_covered_by_its_sovereigns_npt_membership():
    entities = pl.DataFrame(
        {
            "entity_id": ["USA", "GUM", "ATA"],
            "kind": ["state", "dependent_territory", "dependent_territory"],
            "valid_from": [None, None, None],
            "valid_to": [None, None, None],
            "sovereign_id": [None, "USA", None],
        },
        schema={
            "entity_id": pl.Utf8,
            "kind": pl.Utf8,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "sovereign_id": pl.Utf8,
        },
    )
    membership = pl.DataFrame(
        {
            "org_id": ["NPT"],
            "entity_id": ["USA"],
            "role": ["party"],
            "start_date": [D("1970-03-05")],
            "end_date": [None],
        },
        schema_overrides={"end_date": pl.Date},
    )
    facts = pl.DataFrame(
        {
            "entity_id": ["USA"],
            "status": ["npt_nuclear_weapon_state"],
            "since": [D("1945-07-16")],
            "basis": ["NPT Art. IX(3)"],
        }
    )
    status = mem.nuclear_status(membership, facts, entities)
    guam = status.filter(pl.col("entity_id") == "GUM").sort("start_date")
    assert guam.select("status", "start_date", "end_date").rows() == [
        ("outside_npt", D("1945-01-01"), D("1970-03-05")),
        ("npt_territory", D("1970-03-05"), None),
    ]
    assert guam["basis"][1] == "dependent territory of USA (an NPT party)"
    assert status.filter(pl.col("entity_id") == "ATA").height == 0


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = refreshed_home(tmp_path_factory, "curated", "--no-contracts")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        yield con


@pytest.mark.integration
def test_the_yemens_npt_history_is_split(warehouse):
    rows = warehouse.execute(
        "SELECT entity_id, role, start_date, end_date, source FROM membership "
        "WHERE org_id = 'NPT' AND entity_id IN ('YAR', 'YMD', 'YEM') ORDER BY start_date"
    ).fetchall()
    assert rows == [
        ("YAR", "signatory", D("1968-09-23"), D("1986-05-14"), "unoda"),
        ("YMD", "signatory", D("1968-11-14"), D("1979-06-01"), "unoda"),
        ("YMD", "party", D("1979-06-01"), D("1990-05-22"), "unoda"),
        ("YAR", "party", D("1986-05-14"), D("1990-05-22"), "unoda"),
        ("YEM", "party", D("1990-05-22"), None, "inherited:YAR"),
    ]
    assert warehouse.execute(
        "SELECT nuclear_status_on('YAR', DATE '1985-12-31'), "
        "nuclear_status_on('YMD', DATE '1985-12-31'), "
        "nuclear_status_on('YEM', DATE '2000-12-31')"
    ).fetchone() == ("outside_npt", "npt_non_nuclear_weapon_state", "npt_non_nuclear_weapon_state")


@pytest.mark.integration
def test_no_dependent_territory_is_outside_the_npt_today(warehouse):
    assert warehouse.execute(
        "SELECT nuclear_status_on('GUM', DATE '2024-12-31'), nuclear_status_on('GRL', DATE "
        "'2024-12-31'), nuclear_status_on('PRI', DATE '2024-12-31')"
    ).fetchone() == ("npt_territory", "npt_territory", "npt_territory")
    assert (
        warehouse.execute(
            "SELECT count(*) FROM nuclear_status n JOIN entity e USING (entity_id) "
            "WHERE e.kind = 'dependent_territory' AND n.status LIKE '%weapon%'"
        ).fetchone()[0]
        == 0
    )
    outside = warehouse.execute(
        "SELECT count(*) FROM entity WHERE kind = 'dependent_territory' AND sovereign_id IS NOT NULL "
        "AND nuclear_status_on(entity_id, DATE '2024-12-31') = 'outside_npt'"
    ).fetchone()[0]
    assert outside == 0


def test_unverified_curated_alliance_rows_are_flagged_in_membership():
    curated = pl.DataFrame(
        {
            "org_id": ["RIO_TREATY", "RIO_TREATY", "RIO_TREATY"],
            "entity_id": ["BRA", "VEN", "TTO"],
            "start_date": [D("1948-12-03"), D("1948-12-03"), D("1967-04-06")],
            "end_date": [None, None, None],
            "start_event": ["founding", "founding", "accession"],
            "end_event": [None, None, None],
            "note": ["Ratification deposited 1948-03-25", "x", "deposit date not verified"],
            "source": ["OAS table B-29", "B-29; unverified: deposit not seen", "ATOP 5.1"],
        }
    )
    assert mem.alliance_intervals(curated)["source"].to_list() == [
        "curated",
        "curated:unverified",
        "curated:unverified",
    ]


@pytest.mark.integration
def test_the_unverified_rows_reach_the_warehouse_and_the_warning_rule(warehouse):
    flagged = warehouse.execute(
        "SELECT org_id, entity_id FROM membership WHERE source = 'curated:unverified' ORDER BY entity_id"
    ).fetchall()
    assert {(org, entity) for org, entity in flagged} == {(k[1], k[2]) for k in UNVERIFIED_ALLOWED}
    rule = (Path(__file__).parents[1] / "sql" / "checks" / "curated_unverified.sql").read_text()
    assert len(warehouse.execute(rule).fetchall()) == len(flagged) == len(UNVERIFIED_ALLOWED)
