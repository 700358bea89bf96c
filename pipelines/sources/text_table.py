"""Shared handling of SIPRI's unquoted CSV: preamble, strict header, row splitting and typed casting.

The text is loaded a chunk at a time into a DuckDB table of lines (``load_lines``: exactly the lines
``str.split("\n")`` gives), then split and cast in SQL (``split_sql``, ``typed_sql``): every record ends up typed
or in quarantine with a reason (line, raw text, what was wrong). Nothing is dropped: rows in = rows out + rows
quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from ..errors import PayloadError, SchemaDrift

QUARANTINE_SCHEMA = {
    "source": pl.Utf8,
    "payload_sha256": pl.Utf8,
    "line_no": pl.Int64,
    "raw_text": pl.Utf8,
    "reason": pl.Utf8,
}


def split_preamble(lines: list[str], source: str, what: str, expected_header: list[str], preamble_lines: int = 11):
    """Return (preamble, header_line_no, data line pairs). The header must be exactly the expected columns."""
    if len(lines) <= preamble_lines:
        raise PayloadError(
            source, what, f"only {len(lines)} lines; expected {preamble_lines} preamble lines and a header"
        )
    header = lines[preamble_lines].split(",")
    if header != expected_header:
        raise SchemaDrift(source, what, expected_header, header)
    body = list(zip(range(preamble_lines + 2, len(lines) + 1), lines[preamble_lines + 1 :], strict=True))
    return lines[:preamble_lines], body


def release_from_preamble(preamble: list[str]) -> str:
    generated = next((p.split(":", 1)[1].strip() for p in preamble if p.startswith("Data generated:")), "unknown date")
    title = preamble[0]
    span = ""
    if "year range" in title:
        span = title.split("year range", 1)[1].strip().replace("'", "")
    return f"SIPRI trade register generated {generated}" + (f", delivery years {span}" if span else "")


def quarantine_frame(source: str, sha: str, items: list[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source": [source] * len(items),
            "payload_sha256": [sha] * len(items),
            "line_no": [i[0] for i in items],
            "raw_text": [i[1] for i in items],
            "reason": [i[2] for i in items],
        },
        schema=QUARANTINE_SCHEMA,
    )


def join_reasons(parts: list[pl.Expr]) -> pl.Expr:
    """Join the non-null reason fragments with '; '; null when there are none."""
    joined = pl.concat_str(parts, separator="; ", ignore_nulls=True)
    return pl.when(joined == "").then(None).otherwise(joined)


# What polars' str.strip_chars() strips (Rust's char::is_whitespace), for DuckDB's trim(text, characters)
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
INT_RE = r"[+-]?[0-9]+"
NUMBER_RE = r"[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))"


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def strip_sql(expr: str) -> str:
    return f"trim({expr}, {lit(WHITESPACE)})"


def load_lines(con, table: str, chunks: Iterator[str], line_end: str) -> int:
    """Text chunks -> TEMP table (line_no, text): the lines str.split("\n") gives, numbered from 1; returns the count.

    line_end: "rstrip" drops every trailing CR (the legacy export), "crlf" drops the CR of a CRLF (the API CSV,
    whose last line keeps a lone CR as ``replace("\r\n", "\n")`` would). Memory: one chunk at a time.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (line_no BIGINT, text VARCHAR)")
    carry, n = "", 0

    def insert(lines: pl.Series) -> None:
        nonlocal n
        frame = pl.DataFrame({"line_no": pl.int_range(n + 1, n + 1 + lines.len(), eager=True), "text": lines})
        con.register("_chunk_lines", frame.to_arrow())
        con.execute(f"INSERT INTO {table} SELECT * FROM _chunk_lines")
        con.unregister("_chunk_lines")
        n += lines.len()

    for chunk in chunks:
        lines = pl.Series([carry + chunk], dtype=pl.Utf8).str.split("\n").explode()
        carry = lines[-1]
        lines = lines.head(lines.len() - 1)
        if lines.len():
            insert(lines.str.strip_chars_end("\r") if line_end == "rstrip" else lines.str.strip_suffix("\r"))
    last = pl.Series([carry], dtype=pl.Utf8)
    insert(last.str.strip_chars_end("\r") if line_end == "rstrip" else last)
    return n


def split_sql(records: str, columns: list[str]) -> tuple[str, str]:
    """(select of stripped text fields for records of the right width, select of quarantine rows for the rest).

    records: a relation (line_no, raw_text); blank records are skipped, as the per-line split did.
    """
    n = len(columns)
    parts = (
        f"SELECT line_no, raw_text, string_split(raw_text, ',') AS p FROM {records} WHERE {strip_sql('raw_text')} <> ''"
    )
    fields = ", ".join(f"{strip_sql(f'p[{j + 1}]')} AS {c}" for j, c in enumerate(columns))
    good = f"SELECT line_no, raw_text, {fields} FROM ({parts}) WHERE len(p) = {n}"
    bad = (
        f"SELECT line_no, raw_text, 'expected {n} comma-separated fields, found ' || len(p) AS reason "
        f"FROM ({parts}) WHERE len(p) <> {n}"
    )
    return good, bad


def _cast(col: str, kind: str, label: str) -> tuple[str, str | None]:
    """(typed value, reason or NULL) for one text column, as polars' non-strict casts read it."""
    empty, squeezed = f"({col} = '')", f"replace({col}, ' ', '')"
    if kind in ("number", "int", "year"):
        pattern, dtype = (NUMBER_RE, "DOUBLE") if kind == "number" else (INT_RE, "BIGINT")
        value = (
            f"CASE WHEN {empty} THEN NULL WHEN regexp_full_match({squeezed}, {lit(pattern)}) "
            f"THEN TRY_CAST({squeezed} AS {dtype}) END"
        )
        bad = f"(NOT {empty} AND ({value}) IS NULL)"
        what = "a number" if kind == "number" else ("a whole number" if kind == "int" else "a year")
        if kind == "year":
            bad = f"({bad} OR (NOT {empty} AND (({value}) < 1900 OR ({value}) > 2100)))"
    elif kind == "yes_no":
        value = f"CASE {col} WHEN 'Yes' THEN TRUE WHEN 'No' THEN FALSE END"
        bad, what = f"(NOT {empty} AND {col} NOT IN ('Yes', 'No'))", "Yes, No or empty"
    elif kind == "flag_q":
        value = f"({col} = '?')"
        bad, what = f"(NOT {empty} AND {col} <> '?')", "'?' or empty"
    else:
        return f"nullif({col}, '')", None
    return (
        value,
        f"CASE WHEN {bad} THEN {lit(label + ' ' + chr(39))} || {col} || {lit(chr(39) + ' is not ' + what)} END",
    )


def typed_sql(fields: str, kinds: dict[str, tuple[str, str]], extra_reasons: list[str] = ()) -> str:
    """Cast the text fields by kind; ``reason`` joins what is wrong (NULL when the row is fine).

    kinds maps column -> (kind, label) with kind in: number, int, year, yes_no, flag_q, text. extra_reasons:
    SQL expressions over the typed columns (``t.<col>``), appended in order after the cast problems.
    """
    values, problems = [], []
    for col, (kind, label) in kinds.items():
        value, problem = _cast(f"f.{col}", kind, label)
        values.append(f"{value} AS {col}")
        if problem:
            problems.append(problem)
    joined = f"concat_ws('; ', {', '.join(problems) or 'NULL'})"
    typed = f"SELECT f.line_no, f.raw_text, {', '.join(values)}, {joined} AS _r FROM ({fields}) f"
    reasons = ", ".join(["nullif(t._r, '')", *extra_reasons])
    return f"SELECT t.* EXCLUDE (_r), nullif(concat_ws('; ', {reasons}), '') AS reason FROM ({typed}) t"
