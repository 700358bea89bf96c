"""Shared reading for the alliance datasets (ATOP, COW): zip or CSV bytes in, header-checked rows out.

Both projects publish a zip of CSVs; researchers also pass the extracted files. Columns are read by name, so
releases that add or reorder columns still load, but a missing required column stops the import.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

from ..errors import PayloadError

ZIP_MAGIC = b"PK\x03\x04"


def unpack(data: bytes, name: str, wanted: re.Pattern[str]) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each wanted CSV: the zip's matching members, or the file itself."""
    if not data.startswith(ZIP_MAGIC):
        return [(name, data)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [m for m in zf.namelist() if wanted.search(m.rsplit("/", 1)[-1])]
            return [(f"{name}!{m}", zf.read(m)) for m in sorted(members)]
    except zipfile.BadZipFile as exc:
        raise PayloadError("alliances", name, f"not a readable zip ({exc}); download the release again") from exc


def read_rows(source: str, name: str, data: bytes) -> tuple[list[str], list[tuple[int, str, dict[str, str]]]]:
    """Header and (line number, raw text, row by column name) for every data line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # COW files predate UTF-8 in places; every byte maps, nothing is lost
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PayloadError(source, name, "empty file; expected a CSV header line")
    header = [h.strip().strip('"').lower() for h in next(csv.reader([lines[0]]))]
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        values = next(csv.reader([line]))
        row = dict(zip(header, (v.strip() for v in values), strict=False))
        row["__fields__"] = str(len(values))  # the parsers quarantine a row whose field count is not the header's
        rows.append((i, line, row))
    return header, rows


def check_header(source: str, name: str, header: list[str], required: list[str], known: set[str]) -> None:
    """Raise when a required column is missing; name the missing and the unknown (maybe renamed) columns."""
    missing = [c for c in required if c not in header]
    if missing:
        unexpected = [c for c in header if c not in known]
        raise PayloadError(
            source,
            name,
            f"header changed; missing columns {missing}, unexpected columns "
            f"{unexpected or 'none'}. Check that this is a {source.upper()} release in the documented "
            "format (SOURCES.md §8) or update the parser's column list",
        )


def quarantine_row(source: str, name: str, line_no: int, raw: str, reason: str) -> dict:
    """One quarantine row (text_table.QUARANTINE_SCHEMA); the payload hash is filled in by the loader."""
    return {
        "source": source,
        "payload_sha256": None,
        "line_no": line_no,
        "raw_text": raw,
        "reason": f"{name} line {line_no}: {reason}",
    }


def to_int(value: str | None) -> int | None:
    """'' -> None; '12' or '12.0' -> 12; anything else raises ValueError."""
    if value is None or value == "" or value == ".":
        return None
    f = float(value)
    if f != int(f):
        raise ValueError(value)
    return int(f)


def partial_date(year: int | None, month: int | None, day: int | None) -> tuple[date | None, str | None]:
    """The first day of the known period and its precision: day, month or year. 0 or blank = unknown.

    Never invents a day: month unknown -> 1 January with precision 'year'; day unknown -> the 1st with 'month'.
    Raises ValueError for an impossible date (month 13, 30 February).
    """
    if not year:
        return None, None
    if not month:
        return date(year, 1, 1), "year"
    if not day:
        return date(year, month, 1), "month"
    return date(year, month, day), "day"


def _flags() -> dict:
    import polars as pl

    return {f: pl.Int8 for f in ("defense", "offense", "neutrality", "nonaggression", "consultation", "entente")}


def alliance_schema() -> dict:
    """Columns of the alliance frame both parsers return (see sql/tables/alliance.sql)."""
    import polars as pl

    return {
        "dataset": pl.Utf8,
        "alliance_id": pl.Int64,
        "name": pl.Utf8,
        "alliance_type": pl.Utf8,
        "start_date": pl.Date,
        "start_precision": pl.Utf8,
        "end_date": pl.Date,
        "end_precision": pl.Utf8,
        "in_force_at_coverage_end": pl.Boolean,
        **_flags(),
        "cow_alliance_id": pl.Int64,
        "release": pl.Utf8,
        "source_file": pl.Utf8,
    }


def member_schema() -> dict:
    """Columns of the alliance_member frame both parsers return, before entity linking."""
    import polars as pl

    return {
        "dataset": pl.Utf8,
        "alliance_id": pl.Int64,
        "cow_code": pl.Int64,
        "member_name": pl.Utf8,
        "phase": pl.Int64,
        "entry_date": pl.Date,
        "entry_precision": pl.Utf8,
        "exit_date": pl.Date,
        "exit_precision": pl.Utf8,
        **_flags(),
        "release": pl.Utf8,
        "source_file": pl.Utf8,
        "line_no": pl.Int64,
    }
