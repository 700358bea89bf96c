"""ATOP/COW alliance rows -> entities (by COW code and validity dates) and -> curated organisations.

Pure functions: frames in, frames out. The curated alliance_membership facts stay the authority; ATOP and COW
rows for the same alliance are compared with them and every difference is listed, never silently fixed.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

# The ATOP <-> COW <-> curated organisation links. ATOP ids and their COW ids come from the data itself: the
# ATOP 5.1 alliance file's `cow4id` column (read in tests/test_alliances.py), matched on signature date.
CURATED_LINKS = pl.DataFrame(
    [
        ("NATO", "North Atlantic Treaty Organization", 3180, 227),
        ("SEATO", "Southeast Asia Treaty Organization", 3260, 238),
        ("CENTO", "Central Treaty Organization (Baghdad Pact)", 3275, 241),
        ("WARSAW_PACT", "Warsaw Treaty Organization", 3285, 243),
        ("RIO_TREATY", "Inter-American Treaty of Reciprocal Assistance", 3075, 210),
        ("ANZUS", "ANZUS Treaty", 3215, 232),
    ],
    schema={"org_id": pl.Utf8, "name": pl.Utf8, "atop_id": pl.Int64, "cow_id": pl.Int64},
    orient="row",
)

# COW codes whose entity the countrycode ISO3<->COW table does not give. 260 is COW's German Federal Republic;
# armsflow keeps West Germany and Germany as one entity (see alliance_membership.csv, NATO DEU).
EXTRA_COW_CODES = [(260, "DEU")]

UNRESOLVED_SCHEMA = {
    "dataset": pl.Utf8,
    "alliance_id": pl.Int64,
    "cow_code": pl.Int64,
    "member_name": pl.Utf8,
    "gap_start": pl.Date,
    "gap_end": pl.Date,
    "reason": pl.Utf8,
}
ALLIANCE_RECON_SCHEMA = {
    "source": pl.Utf8,
    "org_id": pl.Utf8,
    "entity_id": pl.Utf8,
    "issue": pl.Utf8,
    "source_value": pl.Utf8,
    "curated_value": pl.Utf8,
    "resolution": pl.Utf8,
}
COVERAGE_END = {"atop": date(2018, 12, 31), "cow": date(2012, 12, 31)}
_MIN, _MAX = date(1, 1, 1), date(9999, 12, 31)


def _subtract(seg: tuple[date, date], taken: list[tuple[date, date]]) -> list[tuple[date, date]]:
    parts = [seg]
    for t0, t1 in taken:
        parts = [p for a, b in parts for p in ((a, min(b, t0)), (max(a, t1), b)) if p[0] < p[1]]
    return parts


def cow_windows(entities: pl.DataFrame) -> dict[int, list[tuple[str, date, date]]]:
    """Per COW code, the entity valid in each period. Dated (former-state) rows claim their periods first; an
    undated state row covers the rest, so 365 is the Soviet Union until 1991-12-26 and Russia afterwards."""
    rows = (
        entities.filter(pl.col("cow_code").is_not_null())
        .select("entity_id", "cow_code", "valid_from", "valid_to")
        .unique()
        .rows(named=True)
    )
    rows += [{"entity_id": e, "cow_code": c, "valid_from": None, "valid_to": None} for c, e in EXTRA_COW_CODES]
    out: dict[int, list[tuple[str, date, date]]] = {}
    for code in {r["cow_code"] for r in rows}:
        cands = sorted(
            (r for r in rows if r["cow_code"] == code),
            key=lambda r: (r["valid_from"] is None, r["valid_from"] or _MIN, r["entity_id"]),
        )
        taken: list[tuple[date, date]] = []
        for r in cands:
            for a, b in _subtract((r["valid_from"] or _MIN, r["valid_to"] or _MAX), taken):
                out.setdefault(code, []).append((r["entity_id"], a, b))
                taken.append((a, b))
    return out


def link_members(members: pl.DataFrame, entities: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add entity_id to member spells, splitting a spell where its COW code changes entity (365 in 1991).

    Returns (linked, unresolved). A spell (or the part of it) that no entity covers is kept with a NULL
    entity_id and reported in `unresolved` with the gap: never dropped.
    """
    windows = cow_windows(entities)
    linked, unresolved = [], []
    for r in members.iter_rows(named=True):
        start, end = r["entry_date"], r["exit_date"] or _MAX
        pieces = [
            (e, max(start, a), min(end, b))
            for e, a, b in windows.get(r["cow_code"], [])
            if max(start, a) < min(end, b) or (start == end and a <= start < b)
        ]
        pieces.sort(key=lambda p: p[1])
        gaps = (
            _subtract((start, end), [(a, b) for _, a, b in pieces])
            if start < end
            else ([] if pieces else [(start, end)])
        )
        for entity, a, b in pieces:
            linked.append(
                r
                | {
                    "entity_id": entity,
                    "entry_date": a,
                    "exit_date": None if b == _MAX else b,
                    "entry_precision": r["entry_precision"] if a == start else "day",
                    "exit_precision": r["exit_precision"] if b == end else "day",
                }
            )
        for a, b in gaps:
            reason = (
                f"COW code {r['cow_code']} is not in the entity table"
                if r["cow_code"] not in windows
                else f"no entity carries COW code {r['cow_code']} between {a} and {b if b != _MAX else '…'}"
            )
            unresolved.append(
                {
                    "dataset": r["dataset"],
                    "alliance_id": r["alliance_id"],
                    "cow_code": r["cow_code"],
                    "member_name": r["member_name"],
                    "gap_start": a,
                    "gap_end": None if b == _MAX else b,
                    "reason": reason,
                }
            )
            linked.append(r | {"entity_id": None, "entry_date": a, "exit_date": None if b == _MAX else b})
    schema = dict(members.schema) | {"entity_id": pl.Utf8}
    return (
        pl.DataFrame(linked, schema=schema, orient="row").sort("dataset", "alliance_id", "cow_code", "entry_date"),
        pl.DataFrame(unresolved, schema=UNRESOLVED_SCHEMA, orient="row"),
    )


def name_alliances(alliances: pl.DataFrame, links: pl.DataFrame = CURATED_LINKS) -> pl.DataFrame:
    """Fill `name` for alliances linked to a curated organisation (the datasets' CSVs carry no names)."""
    names = pl.concat(
        [
            links.select(dataset=pl.lit("atop"), alliance_id="atop_id", org_name="name"),
            links.select(dataset=pl.lit("cow"), alliance_id="cow_id", org_name="name"),
        ]
    )
    return (
        alliances.join(names, on=["dataset", "alliance_id"], how="left")
        .with_columns(name=pl.coalesce("name", "org_name"))
        .drop("org_name")
    )


def merged_spells(members: pl.DataFrame) -> pl.DataFrame:
    """One row per entity and continuous membership: ATOP splits members' spells at treaty phases."""
    rows = []
    for (entity,), grp in (
        members.filter(pl.col("entity_id").is_not_null())
        .sort("entry_date")
        .group_by(["entity_id"], maintain_order=True)
    ):
        cur = None
        for r in grp.iter_rows(named=True):
            s, e = r["entry_date"], r["exit_date"]
            if cur and (cur[1] is None or s <= cur[1] + timedelta(days=1)):  # COW ends the day before
                cur[1] = None if (cur[1] is None or e is None) else max(cur[1], e)
            else:
                if cur:
                    rows.append((entity, *cur))
                cur = [s, e]
        rows.append((entity, *cur))
    return pl.DataFrame(rows, schema={"entity_id": pl.Utf8, "start_date": pl.Date, "end_date": pl.Date}, orient="row")


def reconcile_alliances(
    curated: pl.DataFrame, members: pl.DataFrame, links: pl.DataFrame = CURATED_LINKS
) -> pl.DataFrame:
    """Every difference between ATOP/COW spells and curated intervals for the linked organisations.

    curated: org_id, entity_id, start_date, end_date. members: linked member spells. Curated always wins; the
    resolution notes the convention: ATOP and COW date most memberships by signature (or entry into force),
    the curated facts by founding, accession or deposit, and both datasets end at their coverage.
    """
    rows = []
    for link in links.iter_rows(named=True):
        cur = curated.filter(pl.col("org_id") == link["org_id"])
        if cur.is_empty():
            continue
        for dataset, aid in (("atop", link["atop_id"]), ("cow", link["cow_id"])):
            spells = merged_spells(members.filter((pl.col("dataset") == dataset) & (pl.col("alliance_id") == aid)))
            rows += _compare(dataset, link["org_id"], cur, spells)
    return pl.DataFrame(rows, schema=ALLIANCE_RECON_SCHEMA, orient="row")


def _compare(dataset: str, org: str, cur: pl.DataFrame, spells: pl.DataFrame) -> list[tuple]:
    label, horizon, out = dataset.upper(), COVERAGE_END[dataset], []
    for entity in sorted(set(cur["entity_id"]) | set(spells["entity_id"])):
        c_rows = cur.filter(pl.col("entity_id") == entity).sort("start_date").rows(named=True)
        s_rows = spells.filter(pl.col("entity_id") == entity).sort("start_date").rows(named=True)
        for c in c_rows[len(s_rows) :]:
            why = (
                f"curated fact used: joined after {label} coverage ends ({horizon.year})"
                if c["start_date"] > horizon
                else f"curated fact used; {label} lists no such membership"
            )
            out.append((dataset, org, entity, f"missing_in_{dataset}", None, str(c["start_date"]), why))
        for s in s_rows[len(c_rows) :]:
            out.append(
                (
                    dataset,
                    org,
                    entity,
                    "missing_in_curated",
                    str(s["start_date"]),
                    None,
                    f"{label} spell ignored: curated reference lists no such membership",
                )
            )
        for c, s in zip(c_rows, s_rows, strict=False):
            if c["start_date"] != s["start_date"]:
                note = (
                    "curated fact used (convention: " + label + " dates signature, curated dates accession/founding)"
                    if s["start_date"] < c["start_date"]
                    else "curated fact used"
                )
                out.append(
                    (dataset, org, entity, "start_date_differs", str(s["start_date"]), str(c["start_date"]), note)
                )
            c_end = c["end_date"] if c["end_date"] is None or c["end_date"] <= horizon else None
            if c_end != s["end_date"]:
                out.append(
                    (
                        dataset,
                        org,
                        entity,
                        "end_date_differs",
                        str(s["end_date"]) if s["end_date"] else None,
                        str(c["end_date"]) if c["end_date"] else None,
                        "curated fact used",
                    )
                )
    return out
