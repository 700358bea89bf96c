"""Interval logic at its edges, through the pure functions and the stored as-of macros."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines import membership as mem
from pipelines.config import SQL_DIR

D = date.fromisoformat
TREATIES = pl.DataFrame({"treaty_id": ["NPT", "CTBT"], "entry_into_force": [D("1970-03-05"), None]})
ENTITIES = pl.DataFrame(
    {
        "entity_id": ["SUN", "RUS", "TUR", "PRK", "CSK", "CZE", "EGY", "PAK", "USA", "IND"],
        "kind": [
            "former_state",
            "state",
            "state",
            "state",
            "former_state",
            "state",
            "state",
            "state",
            "state",
            "state",
        ],
        "valid_from": [
            D("1922-12-30"),
            D("1991-12-26"),
            None,
            None,
            D("1918-10-28"),
            D("1993-01-01"),
            None,
            None,
            None,
            None,
        ],
        "valid_to": [D("1991-12-26"), None, None, None, D("1993-01-01"), None, None, None, None, None],
    }
)
SUCCESSIONS = pl.DataFrame(
    {"predecessor_id": ["SUN"], "successor_id": ["RUS"], "date": [D("1991-12-26")], "org_id": ["*"]}
)


def actions(rows):
    return pl.DataFrame(
        rows,
        schema={"treaty_id": pl.Utf8, "entity_id": pl.Utf8, "action": pl.Utf8, "action_date": pl.Date},
        orient="row",
    )


ACTIONS = actions(
    [
        ("NPT", "TUR", "signature", D("1969-01-28")),
        ("NPT", "TUR", "ratification", D("1980-04-17")),
        ("NPT", "SUN", "signature", D("1968-07-01")),
        ("NPT", "SUN", "ratification", D("1970-03-05")),
        ("NPT", "SUN", "ratification", D("1970-03-06")),  # a second depositary, later: the earliest counts
        ("NPT", "PRK", "accession", D("1985-12-12")),
        ("NPT", "PRK", "withdrawal", D("2003-01-10")),
        ("NPT", "CSK", "ratification", D("1969-07-22")),
        ("NPT", "CZE", "succession", D("1993-01-01")),
        ("NPT", "USA", "ratification", D("1970-03-05")),
        ("CTBT", "EGY", "signature", D("1996-09-24")),
        ("CTBT", "SUN", "signature", D("1996-09-24")),  # nonsense on purpose: after the USSR ended
        ("CTBT", "RUS", "signature", D("1996-09-24")),
        ("CTBT", "RUS", "ratification", D("2000-06-30")),
        ("CTBT", "RUS", "withdrawal", D("2023-11-02")),
    ]
)


@pytest.fixture(scope="module")
def intervals():
    return mem.treaty_intervals(ACTIONS, TREATIES, ENTITIES, SUCCESSIONS)


def interval(iv, treaty, entity, role):
    rows = iv.filter((pl.col("org_id") == treaty) & (pl.col("entity_id") == entity) & (pl.col("role") == role))
    return [
        (r["start_date"], r["end_date"], r["opened_by"], r["closed_by"], r["source"])
        for r in rows.iter_rows(named=True)
    ]


def test_signature_then_ratification(intervals):
    assert interval(intervals, "NPT", "TUR", "signatory") == [
        (D("1969-01-28"), D("1980-04-17"), "signature", "became_party", "unoda")
    ]
    assert interval(intervals, "NPT", "TUR", "party") == [(D("1980-04-17"), None, "ratification", None, "unoda")]


def test_withdrawal_closes_the_interval(intervals):
    assert interval(intervals, "NPT", "PRK", "party") == [
        (D("1985-12-12"), D("2003-01-10"), "accession", "withdrawal", "unoda")
    ]


def test_dissolution_closes_and_the_continuator_inherits(intervals):
    assert interval(intervals, "NPT", "SUN", "party") == [
        (D("1970-03-05"), D("1991-12-26"), "ratification", "state_dissolved", "unoda")
    ]
    assert interval(intervals, "NPT", "RUS", "party") == [
        (D("1991-12-26"), None, "continuation", None, "inherited:SUN")
    ]


def test_succession_by_a_new_state(intervals):
    assert interval(intervals, "NPT", "CSK", "party")[0][1:4] == (D("1993-01-01"), "ratification", "state_dissolved")
    assert interval(intervals, "NPT", "CZE", "party") == [(D("1993-01-01"), None, "succession", None, "unoda")]


def test_signed_but_never_ratified(intervals):
    assert interval(intervals, "CTBT", "EGY", "signatory") == [(D("1996-09-24"), None, "signature", None, "unoda")]
    assert interval(intervals, "CTBT", "EGY", "party") == []


def test_withdrawn_ratification_of_a_treaty_not_in_force_leaves_the_signature(intervals):
    assert interval(intervals, "CTBT", "RUS", "party") == [
        (D("2000-06-30"), D("2023-11-02"), "ratification", "withdrawal", "unoda")
    ]
    assert (D("2023-11-02"), None, "withdrawal", None, "unoda") in interval(intervals, "CTBT", "RUS", "signatory")


def test_action_after_a_state_ended_is_left_for_the_lifetime_check(intervals):
    # the interval starts after the USSR ended; membership_within_entity_lifetime reports it
    assert interval(intervals, "CTBT", "SUN", "signatory")[0][0] == D("1996-09-24")


@pytest.fixture(scope="module")
def warehouse(intervals):
    con = duckdb.connect()
    con.execute((SQL_DIR / "tables" / "membership.sql").read_text())
    con.execute((SQL_DIR / "tables" / "nuclear_status.sql").read_text())
    con.execute(
        "CREATE TABLE organisation AS SELECT 'NPT' AS org_id, 'treaty' AS kind UNION ALL SELECT 'NATO', 'alliance'"
    )
    nato = pl.DataFrame(
        {
            "org_id": ["NATO"],
            "entity_id": ["TUR"],
            "start_date": [D("1952-02-18")],
            "end_date": [None],
            "start_event": ["accession"],
            "end_event": [None],
        },
        schema_overrides={"end_date": pl.Date},
    )
    all_iv = pl.concat([intervals, mem.alliance_intervals(nato)])
    con.register("iv", all_iv.to_arrow())
    con.execute("INSERT INTO membership BY NAME SELECT * FROM iv")
    facts = pl.DataFrame(
        {
            "entity_id": ["USA", "SUN", "RUS", "PAK", "PRK", "IND"],
            "status": ["npt_nuclear_weapon_state"] * 3 + ["nuclear_armed_outside_npt"] * 3,
            "since": [
                D("1945-07-16"),
                D("1949-08-29"),
                D("1991-12-26"),
                D("1998-05-28"),
                D("2003-01-10"),
                D("1974-05-18"),
            ],
            "basis": ["test"] * 6,
        }
    )
    con.register("ns", mem.nuclear_status(all_iv, facts, ENTITIES).to_arrow())
    con.execute("INSERT INTO nuclear_status BY NAME SELECT * FROM ns")
    con.execute((SQL_DIR / "marts" / "as_of.sql").read_text())
    return con


@pytest.mark.parametrize(
    "org, entity, on, expected",
    [
        ("NATO", "TUR", "1952-02-18", True),  # accession on the query date counts
        ("NATO", "TUR", "1952-02-17", False),
        ("NPT", "PRK", "2003-01-09", True),
        ("NPT", "PRK", "2003-01-10", False),  # end is exclusive: not a party on the withdrawal date
        ("NPT", "SUN", "1991-12-26", False),
        ("NPT", "RUS", "1991-12-26", True),
        ("NPT", "TUR", "1975-01-01", False),  # a signatory is not a party
    ],
)
def test_is_member_on(warehouse, org, entity, on, expected):
    assert warehouse.execute("SELECT is_member_on(?, ?, ?::DATE)", [org, entity, on]).fetchone()[0] is expected


@pytest.mark.parametrize(
    "entity, on, status",
    [
        ("PRK", "2002-12-31", "npt_non_nuclear_weapon_state"),
        ("PRK", "2003-06-01", "nuclear_armed_outside_npt"),
        ("PAK", "1990-01-01", "outside_npt"),
        ("PAK", "2000-01-01", "nuclear_armed_outside_npt"),
        ("USA", "1980-01-01", "npt_nuclear_weapon_state"),
        ("TUR", "1981-01-01", "npt_non_nuclear_weapon_state"),
        ("RUS", "2024-01-01", "npt_nuclear_weapon_state"),
        ("SUN", "1995-01-01", None),
    ],
)
def test_nuclear_status_on(warehouse, entity, on, status):
    assert warehouse.execute("SELECT nuclear_status_on(?, ?::DATE)", [entity, on]).fetchone()[0] == status


def test_reconcile_reports_disagreements_and_curated_wins():
    curated = pl.DataFrame(
        {
            "org_id": ["NATO"] * 3,
            "entity_id": ["ESP", "MKD", "TUR"],
            "start_date": [D("1982-05-30"), D("2020-03-27"), D("1952-02-18")],
            "end_date": [None] * 3,
        },
        schema_overrides={"end_date": pl.Date},
    )
    wikidata = pl.DataFrame(
        {
            "org_id": ["NATO"] * 3,
            "entity_id": ["ESP", "TUR", "XKX"],
            "start_date": [D("1982-01-01"), D("1952-02-18"), D("2010-01-01")],
            "end_date": [None] * 3,
        },
        schema_overrides={"end_date": pl.Date},
    )
    r = mem.reconcile(curated, wikidata).sort("entity_id")
    assert r.select("entity_id", "issue").rows() == [
        ("ESP", "start_date_differs"),
        ("MKD", "missing_in_wikidata"),
        ("XKX", "missing_in_curated"),
    ]
    assert "year precision" in r["resolution"][0]
