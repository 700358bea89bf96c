"""ATOP/COW parsers, COW-code linking and reconciliation, on verbatim extracts of the real releases.

Fixtures in tests/fixtures/alliances/ are written by pipelines/recorded/extract/alliance_subset.py (it names the public copies
and commits): NATO (ATOP 3180 / COW 227), CENTO (3275 / 241), and ATOP 1115 and 2075, whose entry or exit day is
unknown in the release.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines import alliance_load
from pipelines import alliances as al
from pipelines.entities import reference_entities
from pipelines.errors import PayloadError
from pipelines.sources import atop, cow

FIX = Path(__file__).parent / "fixtures" / "alliances"


def read(name: str) -> tuple[str, bytes]:
    return name, (FIX / name).read_bytes()


def spell(members: pl.DataFrame, aid: int, code: int) -> list[dict]:
    return members.filter((pl.col("alliance_id") == aid) & (pl.col("cow_code") == code)).sort("entry_date").to_dicts()


@pytest.mark.parametrize(
    "release,files", [("ATOP 5.1", ["atop5_1m.csv", "atop5_1a.csv"]), ("ATOP 4.01", ["atop4_01m.csv", "atop4_01a.csv"])]
)
def test_atop_both_layouts(release, files):
    alliances, members, q = atop.parse([read(f) for f in files])
    assert q.is_empty() and alliances.height == 4
    assert set(members["release"]) == {release}
    nato = alliances.filter(pl.col("alliance_id") == 3180).row(0, named=True)
    assert nato["start_date"] == date(1949, 4, 4) and nato["end_date"] is None and nato["in_force_at_coverage_end"]
    assert nato["defense"] == 1 and nato["cow_alliance_id"] == 227  # ATOP's own link to COW's NATO
    assert alliances.filter(pl.col("alliance_id") == 3275)["cow_alliance_id"].item() == 241  # CENTO
    (tur,) = spell(members, 3180, 640)
    assert (tur["entry_date"], tur["entry_precision"], tur["exit_date"]) == (date(1951, 10, 22), "day", None)
    (pak,) = spell(members, 3275, 770)
    assert (pak["entry_date"], pak["exit_date"], pak["consultation"], pak["defense"]) == (
        date(1955, 9, 23),
        date(1979, 3, 12),
        1,
        0,
    )


def test_atop_unknown_day_is_stored_with_precision_not_invented():
    _, members, _ = atop.parse([read("atop5_1m.csv")])
    (uk,) = spell(members, 1115, 200)  # 1844, month 6, day unknown in ATOP 5.1
    assert (uk["entry_date"], uk["entry_precision"]) == (date(1844, 6, 1), "month")
    (tur,) = spell(members, 2075, 640)  # exit 1950, month 7, day unknown
    assert (tur["exit_date"], tur["exit_precision"]) == (date(1950, 7, 1), "month")


def test_atop_zip_as_downloaded_equals_extracted_files():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in ("atop5_1m.csv", "atop5_1a.csv"):
            zf.writestr(f"ATOP 5.1 (.csv)/{f}", (FIX / f).read_bytes())
        zf.writestr("ATOP 5.1 (.csv)/atop5_1sy.csv", "stateabb,ccode,year\n")  # other tables are skipped
    z_all, z_mem, _ = atop.parse([("ATOP_5.1.zip", buf.getvalue())])
    f_all, f_mem, _ = atop.parse([read("atop5_1m.csv"), read("atop5_1a.csv")])
    assert z_mem.drop("source_file").equals(f_mem.drop("source_file"))
    assert z_all.drop("source_file").equals(f_all.drop("source_file"))


def test_atop_changed_header_names_missing_and_unexpected_columns():
    name, data = read("atop5_1m.csv")
    with pytest.raises(PayloadError, match=r"missing columns \['yrent'\], unexpected columns \['yrentry'\]"):
        atop.parse([(name, data.replace(b",yrent,", b",yrentry,", 1))])


def test_atop_bad_rows_quarantined_with_reason():
    name, data = read("atop5_1m.csv")
    lines = data.decode().splitlines()
    impossible = lines[1].split(",")
    impossible[6] = "13"  # moent
    lines += [",".join(impossible), "3180,1,2"]
    _, members, q = atop.parse([(name, "\n".join(lines).encode())])
    assert members.height == len(lines) - 3 and q.height == 2
    assert "impossible date" in q["reason"][0] and "3 fields" in q["reason"][1]
    assert q["reason"].str.starts_with(f"{name} line").all()


def test_cow_by_member():
    alliances, members, q = cow.parse([read("alliance_v4.1_by_member.csv")])
    assert q.is_empty() and sorted(alliances["alliance_id"]) == [227, 241]
    assert set(members["release"]) == {"COW Formal Alliances 4.1"}
    cento = alliances.filter(pl.col("alliance_id") == 241).row(0, named=True)
    assert cento["alliance_type"] == "Type IIb: Non-Aggression Pact" and cento["start_date"] == date(1955, 2, 24)
    (pak,) = spell(members, 241, 770)
    assert (pak["entry_date"], pak["exit_date"], pak["member_name"]) == (
        date(1955, 9, 23),
        date(1979, 3, 12),
        "Pakistan",
    )


def test_cow_changed_header_and_zip():
    name, data = read("alliance_v4.1_by_member.csv")
    with pytest.raises(PayloadError, match=r"missing columns \['ccode'\], unexpected columns \['cowcode'\]"):
        cow.parse([(name, data.replace(b",ccode,", b",cowcode,", 1))])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("version4.1_csv/alliance_v4.1_by_member.csv", data)
        zf.writestr("version4.1_csv/alliance_v4.1_by_dyad.csv", "version4id,ccode1\n")
    assert cow.parse([("version4.1_csv.zip", buf.getvalue())])[1].height == cow.parse([(name, data)])[1].height


def test_link_splits_365_at_1991_and_reports_unknown_code():
    members = pl.DataFrame(
        [
            ("atop", 1, 365, date(1955, 5, 14), None),
            ("cow", 2, 999, date(1960, 1, 1), date(1970, 1, 1)),
            ("cow", 3, 260, date(1955, 5, 5), date(1990, 10, 3)),
        ],
        schema={
            "dataset": pl.Utf8,
            "alliance_id": pl.Int64,
            "cow_code": pl.Int64,
            "entry_date": pl.Date,
            "exit_date": pl.Date,
        },
        orient="row",
    ).with_columns(member_name=pl.lit(None, pl.Utf8), entry_precision=pl.lit("day"), exit_precision=pl.lit("day"))
    linked, unresolved = al.link_members(members, reference_entities())
    ussr = linked.filter(pl.col("cow_code") == 365).select("entity_id", "entry_date", "exit_date").rows()
    assert ussr == [("SUN", date(1955, 5, 14), date(1991, 12, 26)), ("RUS", date(1991, 12, 26), None)]
    assert linked.filter(pl.col("cow_code") == 260)["entity_id"].to_list() == ["DEU"]
    unknown = linked.filter(pl.col("cow_code") == 999)
    assert unknown.height == 1 and unknown["entity_id"].item() is None  # kept, never dropped
    assert unresolved.select("cow_code", "reason").rows() == [(999, "COW code 999 is not in the entity table")]


def test_reconcile_nato_notes_signature_convention_and_coverage():
    _, members, _ = atop.parse([read("atop5_1m.csv")])
    linked, _ = al.link_members(members, reference_entities())
    curated = pl.DataFrame(
        [("NATO", "TUR", date(1952, 2, 18), None), ("NATO", "FIN", date(2023, 4, 4), None)],
        schema={"org_id": pl.Utf8, "entity_id": pl.Utf8, "start_date": pl.Date, "end_date": pl.Date},
        orient="row",
    )
    recon = al.reconcile_alliances(curated, linked).filter(pl.col("entity_id").is_in(["TUR", "FIN"]))
    tur = recon.filter(pl.col("entity_id") == "TUR").row(0, named=True)
    assert (tur["issue"], tur["source_value"], tur["curated_value"]) == (
        "start_date_differs",
        "1951-10-22",
        "1952-02-18",
    )
    assert "signature" in tur["resolution"]
    fin = recon.filter(pl.col("entity_id") == "FIN").row(0, named=True)
    assert fin["issue"] == "missing_in_atop" and "coverage ends (2018)" in fin["resolution"]


def test_bundled_subset_loads_and_counts_reconcile():
    from pipelines.config import load_settings
    from pipelines.fetch import fetch_recorded
    from pipelines.stages.common import dated, reference

    curated = dated(reference(load_settings(), "alliance_membership.csv"), "start_date", "end_date")
    files = [(p.request.name, p.body) for s in ("atop", "cow") for p in fetch_recorded(s)]
    tables = alliance_load.build(files, reference_entities(), curated)
    c = tables.counts
    assert (c["rows_in"] == c["rows_loaded"] + c["rows_quarantined"]).all() and set(c["source"]) == {"atop", "cow"}
    names = dict(zip(tables.alliance["alliance_id"], tables.alliance["name"], strict=False))
    assert names[3275].startswith("Central Treaty Organization")
    cento = tables.alliance_member.filter((pl.col("dataset") == "atop") & (pl.col("alliance_id") == 3275))
    got = {r["entity_id"]: (r["entry_date"], r["exit_date"]) for r in cento.iter_rows(named=True)}
    assert got["TUR"] == (date(1955, 2, 24), date(1979, 10, 9)) and got["PAK"] == (date(1955, 9, 23), date(1979, 3, 12))
