"""ATOP (Alliance Treaty Obligations and Provisions) member- and alliance-level CSVs -> polars frames.

Releases 4.x and 5.x share the columns read here; both carry obligation flags on member rows too. ATOP codes an
unknown month or day as 0 (stored with a date precision, never an invented day) and a membership still in force at
the end of coverage as exit year 0 (stored as a NULL exit date).
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from .alliance_files import (
    alliance_schema,
    check_header,
    member_schema,
    partial_date,
    quarantine_row,
    read_rows,
    to_int,
    unpack,
)
from .text_table import QUARANTINE_SCHEMA

SOURCE = "atop"
MEMBER_REQUIRED = ["atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit"]
ALLIANCE_REQUIRED = [
    "atopid",
    "begyr",
    "begmo",
    "begday",
    "endyr",
    "endmo",
    "endday",
    "defense",
    "offense",
    "neutral",
    "nonagg",
    "consul",
]
OPTIONAL = {"phase", "cowid", "cow4id", "version", "defense", "offense", "neutral", "nonagg", "consul"}
FLAGS = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "nonaggression",
    "consul": "consultation",
}
# Every column of the 4.01 and 5.1 CSVs is known; only these are read. Unknown columns are reported on drift.
KNOWN_EXTRA = set(
    """cowsys ineffect bilat maxphase wartime cowwar estmode pubsecr secrart proadd futmem speclgth
length renounce proren renewlgt term termmode termcaus active conditio defcon offcon neucon concon defcoadv defcoloc
defcocon defconum defcodem defconpr offcoadv offcoloc offcocon offconum offcodem neucoadv neucoloc neucocon neuconum
neucodem neuconpr neucoatt concoadv concoloc concocon concoreq olimob asymm obvary notaiden dipaid terrres seppeace
thirdcom noothall specthrt statthr1 statthr2 conwtin medarb milcon milaid intcom subord organ1 orgpurp1 organ2
orgpurp2 base contrib armred acqterr divgains demwith reflnun refothio natrefal compag nomicoop conres agprois conmen
ecaid interv source new4 rev4 new5 rev5 hinst minst milorg milinst pubtreat formorg formal""".split()
) | {f"mem{i}" for i in range(1, 80)}
KNOWN = set(MEMBER_REQUIRED) | set(ALLIANCE_REQUIRED) | OPTIONAL | KNOWN_EXTRA
WANTED = re.compile(r"^atop\d+_\d+[ma]\.csv$", re.IGNORECASE)


def layout(header: list[str]) -> str | None:
    """'member' or 'alliance' by the columns present (file names vary between copies)."""
    if "member" in header and "yrent" in header:
        return "member"
    if "begyr" in header:
        return "alliance"
    return None


def _release(row: dict) -> str | None:
    v = row.get("version")
    if not v:
        return None
    try:
        return f"ATOP {round(float(v), 2):g}"
    except ValueError:
        return f"ATOP {v}"


def _quarantine_row(name: str, line_no: int, raw: str, reason: str) -> dict:
    return quarantine_row(SOURCE, name, line_no, raw, reason)


def _flags(row: dict) -> dict:
    out = {v: to_int(row.get(k)) for k, v in FLAGS.items()}
    return out | {"entente": None}


def _check_dates(start: date | None, end: date | None) -> str | None:
    if start is None:
        return "entry/begin year missing or 0"
    if end is not None and end < start:
        return f"exit/end {end} before entry/begin {start}"
    return None


def _member_record(name: str, line_no: int, row: dict) -> tuple[dict, str | None]:
    entry, entry_p = partial_date(to_int(row["yrent"]), to_int(row["moent"]), to_int(row["dayent"]))
    exit_, exit_p = partial_date(to_int(row["yrexit"]), to_int(row["moexit"]), to_int(row["dayexit"]))
    rec = {
        "dataset": SOURCE,
        "alliance_id": to_int(row["atopid"]),
        "cow_code": to_int(row["member"]),
        "member_name": None,
        "phase": to_int(row.get("phase")),
        "entry_date": entry,
        "entry_precision": entry_p,
        "exit_date": exit_,
        "exit_precision": exit_p,
        **_flags(row),
        "release": _release(row),
        "source_file": name,
        "line_no": line_no,
    }
    problem = (
        _check_dates(entry, exit_)
        or (None if rec["alliance_id"] else "atopid missing")
        or (None if rec["cow_code"] else "member (COW state code) missing")
    )
    return rec, problem


def _alliance_record(name: str, line_no: int, row: dict) -> tuple[dict, str | None]:
    start, start_p = partial_date(to_int(row["begyr"]), to_int(row["begmo"]), to_int(row["begday"]))
    end, end_p = partial_date(to_int(row["endyr"]), to_int(row["endmo"]), to_int(row["endday"]))
    rec = {
        "dataset": SOURCE,
        "alliance_id": to_int(row["atopid"]),
        "name": None,
        "alliance_type": None,
        "start_date": start,
        "start_precision": start_p,
        "end_date": end,
        "end_precision": end_p,
        "in_force_at_coverage_end": end is None,
        **_flags(row),
        "cow_alliance_id": to_int(row.get("cow4id")),
        "release": _release(row),
        "source_file": name,
    }
    return rec, _check_dates(start, end) or (None if rec["alliance_id"] else "atopid missing")


def _parse_rows(name: str, data: bytes, required: list[str], record, schema: dict):
    """Rows -> (records, quarantine): a wrong field count, an unreadable number or date, or a missing id."""
    header, rows = read_rows(SOURCE, name, data)
    check_header(SOURCE, name, header, required, KNOWN)
    good, bad = [], []
    for line_no, raw, row in rows:
        if int(row["__fields__"]) != len(header):
            bad.append(_quarantine_row(name, line_no, raw, f"{row['__fields__']} fields, header has {len(header)}"))
            continue
        try:
            rec, problem = record(name, line_no, row)
        except ValueError as exc:
            bad.append(_quarantine_row(name, line_no, raw, f"unreadable number or impossible date ({exc})"))
            continue
        if problem:
            bad.append(_quarantine_row(name, line_no, raw, problem))
        else:
            good.append(rec)
    return pl.DataFrame(good, schema=schema, orient="row"), pl.DataFrame(bad, schema=QUARANTINE_SCHEMA, orient="row")


def parse_member_rows(name: str, data: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
    return _parse_rows(name, data, MEMBER_REQUIRED, _member_record, member_schema())


def parse_alliance_rows(name: str, data: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
    return _parse_rows(name, data, ALLIANCE_REQUIRED, _alliance_record, alliance_schema())


def parse(files: list[tuple[str, bytes]]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(alliances, members, quarantine) from ATOP zips and/or CSV files, as (name, bytes) pairs."""
    alliances, members, quarantine = [], [], []
    for name, data in files:
        for inner, body in unpack(data, name, WANTED):
            header, _ = read_rows(SOURCE, inner, body.split(b"\n", 1)[0])
            kind = layout(header)
            if kind is None:
                check_header(SOURCE, inner, header, MEMBER_REQUIRED, KNOWN)
            frame, q = (parse_member_rows if kind == "member" else parse_alliance_rows)(inner, body)
            (members if kind == "member" else alliances).append(frame)
            quarantine.append(q)
    return (
        pl.concat(alliances) if alliances else pl.DataFrame(schema=alliance_schema()),
        pl.concat(members) if members else pl.DataFrame(schema=member_schema()),
        pl.concat(quarantine) if quarantine else pl.DataFrame(schema=QUARANTINE_SCHEMA),
    )
