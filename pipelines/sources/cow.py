"""COW Formal Alliances v4.1 `alliance_v4.1_by_member.csv` -> alliance and member frames.

One row per member spell. Blank end fields mean the alliance or membership was in force at the end of coverage
(2012). Alliance-level obligations are the maximum over the members' rows; `ss_type` names the COW type.
"""

from __future__ import annotations

import re

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

SOURCE = "cow"
REQUIRED = [
    "version4id",
    "ccode",
    "state_name",
    "all_st_day",
    "all_st_month",
    "all_st_year",
    "all_end_day",
    "all_end_month",
    "all_end_year",
    "ss_type",
    "mem_st_day",
    "mem_st_month",
    "mem_st_year",
    "mem_end_day",
    "mem_end_month",
    "mem_end_year",
    "defense",
    "neutrality",
    "nonaggression",
    "entente",
]
KNOWN = set(REQUIRED) | {"left_censor", "right_censor", "version"}
WANTED = re.compile(r"^alliance_v[\d.]+_by_member\.csv$", re.IGNORECASE)
FLAGS = ("defense", "neutrality", "nonaggression", "entente")


def _q(name: str, line_no: int, raw: str, reason: str) -> dict:
    return quarantine_row(SOURCE, name, line_no, raw, reason)


def parse_member_file(name: str, data: bytes) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    header, rows = read_rows(SOURCE, name, data)
    check_header(SOURCE, name, header, REQUIRED, KNOWN)
    members, alliances, bad = [], {}, []
    for line_no, raw, row in rows:
        if int(row["__fields__"]) != len(header):
            bad.append(_q(name, line_no, raw, f"{row['__fields__']} fields, header has {len(header)}"))
            continue
        try:
            aid, ccode = to_int(row["version4id"]), to_int(row["ccode"])
            a_start, a_sp = partial_date(
                to_int(row["all_st_year"]), to_int(row["all_st_month"]), to_int(row["all_st_day"])
            )
            a_end, a_ep = partial_date(
                to_int(row["all_end_year"]), to_int(row["all_end_month"]), to_int(row["all_end_day"])
            )
            m_start, m_sp = partial_date(
                to_int(row["mem_st_year"]), to_int(row["mem_st_month"]), to_int(row["mem_st_day"])
            )
            m_end, m_ep = partial_date(
                to_int(row["mem_end_year"]), to_int(row["mem_end_month"]), to_int(row["mem_end_day"])
            )
            flags = {f: to_int(row[f]) for f in FLAGS}
        except ValueError as exc:
            bad.append(_q(name, line_no, raw, f"unreadable number or impossible date ({exc})"))
            continue
        release = f"COW Formal Alliances {row['version']}" if row.get("version") else "COW Formal Alliances"
        problem = (
            (None if aid else "version4id missing")
            or (None if ccode else "ccode missing")
            or (None if m_start else "membership start year missing")
            or (f"membership end {m_end} before start {m_start}" if m_end and m_end < m_start else None)
        )
        if problem:
            bad.append(_q(name, line_no, raw, problem))
            continue
        members.append(
            {
                "dataset": SOURCE,
                "alliance_id": aid,
                "cow_code": ccode,
                "member_name": row["state_name"],
                "phase": None,
                "entry_date": m_start,
                "entry_precision": m_sp,
                "exit_date": m_end,
                "exit_precision": m_ep,
                "offense": None,
                "consultation": None,
                **flags,
                "release": release,
                "source_file": name,
                "line_no": line_no,
            }
        )
        a = alliances.setdefault(
            aid,
            {
                "dataset": SOURCE,
                "alliance_id": aid,
                "name": None,
                "alliance_type": row["ss_type"] or None,
                "start_date": a_start,
                "start_precision": a_sp,
                "end_date": a_end,
                "end_precision": a_ep,
                "in_force_at_coverage_end": a_end is None,
                "offense": None,
                "consultation": None,
                **dict.fromkeys(FLAGS),
                "cow_alliance_id": aid,
                "release": release,
                "source_file": name,
            },
        )
        for f in FLAGS:  # blank flag on a member row stays unknown; the alliance gets any member's pledge
            if flags[f] is not None:
                a[f] = max(a[f] or 0, flags[f])
    return (
        pl.DataFrame(list(alliances.values()), schema=alliance_schema(), orient="row"),
        pl.DataFrame(members, schema=member_schema(), orient="row"),
        pl.DataFrame(bad, schema=QUARANTINE_SCHEMA, orient="row"),
    )


def parse(files: list[tuple[str, bytes]]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(alliances, members, quarantine) from the COW zip or the extracted by_member CSV."""
    out = [parse_member_file(inner, body) for name, data in files for inner, body in unpack(data, name, WANTED)]
    if not out:
        return (
            pl.DataFrame(schema=alliance_schema()),
            pl.DataFrame(schema=member_schema()),
            pl.DataFrame(schema=QUARANTINE_SCHEMA),
        )
    return tuple(pl.concat([o[i] for o in out]) for i in range(3))  # type: ignore[return-value]
