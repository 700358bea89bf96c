"""SIPRI TIV tables (SOURCES.md §7): SIPRI's own per-year TIV totals by supplier (exports) or recipient (imports).

They are the only per-year TIV a legacy export can use, and the yardstick the register's per-year sums are
reconciled against. ``parse_tiv_table`` is pure (bytes in, frames out); ``load_tiv_table`` writes the table.
The header is strict: the party cell, consecutive years, then SIPRI's four summary columns; anything else is
schema drift. The closing ``Total world ...`` row is a total, not a party, and is not loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from ..errors import PayloadError, SchemaDrift
from .text_table import quarantine_frame

SOURCE = "sipri_tiv"
DIRECTIONS = {"Exports by": "export", "Imports by": "import", "Recipient": "import", "Supplier": "export"}
SUMMARY = ["Percentage", "Sum total years", "Percentage of total"]
SCHEMA = {
    "party": pl.Utf8,
    "direction": pl.Utf8,
    "year": pl.Int32,
    "tiv": pl.Float64,
    "release": pl.Utf8,
    "line_no": pl.Int64,
    "payload_sha256": pl.Utf8,
}
NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass
class ParsedTiv:
    values: pl.DataFrame
    quarantine: pl.DataFrame
    release: str
    rows_in: int


def _header_at(lines: list[str], what: str) -> int:
    """The header is the first non-blank line after `Data generated: ...`."""
    gen = next((i for i, line in enumerate(lines) if line.startswith("Data generated:")), None)
    if gen is None:
        raise PayloadError(SOURCE, what, "no 'Data generated:' line in the preamble; is this a SIPRI TIV table?")
    head = next((i for i in range(gen + 1, len(lines)) if lines[i].strip()), None)
    if head is None:
        raise PayloadError(SOURCE, what, "the file ends after its preamble: no header and no rows")
    return head


def expected_header(found: list[str]) -> list[str]:
    """The header SIPRI writes for the year span found: party cell, each year, span, then the summary columns."""
    years = sorted(int(c) for c in found if re.fullmatch(r"\d{4}", c))
    party = found[0] if found and found[0] in DIRECTIONS else "Exports by"
    if not years:
        return [party, "<years>", *SUMMARY]
    span = [str(y) for y in range(years[0], years[-1] + 1)]
    return [party, *span, f"{years[0]}-{years[-1]}", *SUMMARY]


def release_of(lines: list[str], head: int) -> str:
    generated = next(line.split(":", 1)[1].strip() for line in lines[:head] if line.startswith("Data generated:"))
    return f"SIPRI TIV table generated {generated}"


def parse_tiv_table(body: bytes, sha: str = "", what: str = "TIV table") -> ParsedTiv:
    """TIV table bytes -> one row per party, direction and year with a value; unreadable rows -> quarantine."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise PayloadError(SOURCE, what, f"not ASCII at byte {exc.start}; SIPRI's TIV tables are ASCII") from None
    lines = text.replace("\r\n", "\n").split("\n")
    head = _header_at(lines, what)
    header = lines[head].split(",")
    want = expected_header(header)
    if header != want:
        raise SchemaDrift(SOURCE, what, want, header)
    direction, years = DIRECTIONS[header[0]], [int(y) for y in header[1:-4]]
    release = release_of(lines, head)
    values: dict[str, list] = {k: [] for k in SCHEMA}
    bad: list[tuple[int, str, str]] = []
    rows_in = 0
    for i in range(head + 1, len(lines)):
        line, line_no = lines[i], i + 1
        if not line.strip():
            continue
        fields = line.split(",")
        if fields[0].startswith("Total world"):
            continue  # SIPRI's closing total: not a party, not a row in
        rows_in += 1
        if len(fields) != len(header):
            bad.append((line_no, line, f"expected {len(header)} comma-separated fields, found {len(fields)}"))
            continue
        party = fields[0].strip()
        cells = [c.strip() for c in fields[1 : 1 + len(years)]]
        wrong = [f"{y} '{c}'" for y, c in zip(years, cells, strict=True) if c and not NUMBER.match(c)]
        if not party or wrong:
            bad.append(
                (
                    line_no,
                    line,
                    "empty party name"
                    if not party
                    else f"{party}: values {', '.join(wrong)} are not non-negative numbers (TIV in millions)",
                )
            )
            continue
        for year, cell in zip(years, cells, strict=True):
            if cell:
                for k, v in (
                    ("party", party),
                    ("direction", direction),
                    ("year", year),
                    ("tiv", float(cell)),
                    ("release", release),
                    ("line_no", line_no),
                    ("payload_sha256", sha),
                ):
                    values[k].append(v)
    return ParsedTiv(pl.DataFrame(values, schema=SCHEMA), quarantine_frame(SOURCE, sha, bad), release, rows_in)


def load_tiv_table(con, frame: pl.DataFrame, entity_aliases: pl.DataFrame) -> pl.DataFrame:
    """Replace tiv_country_year with the frame, its party names resolved through the SIPRI aliases.

    entity_aliases: raw_name, entity_id (``entities.resolve_names(parties, "sipri")``, the register's rules, so
    a party resolves even when the loaded register never names it). Returns the rows whose party matched
    no entity; they are loaded too, with a NULL entity_id, so the reconciliation can still name them.
    """
    from ..warehouse import replace_table

    resolved = frame.join(
        entity_aliases.select(party="raw_name", entity_id="entity_id").unique("party"), on="party", how="left"
    )
    replace_table(con, "tiv_country_year", resolved)
    return resolved.filter(pl.col("entity_id").is_null())
