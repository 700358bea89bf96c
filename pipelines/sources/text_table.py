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
from ..warehouse import append_frame

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
        append_frame(con, table, frame)
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


def split_sql(records: str, columns: list[str], split: str = "_split") -> tuple[str, str, str]:
    """(split, good, bad): materialise ``split`` (each record's fields, computed once) from ``records``, then
    ``good`` selects the stripped text fields of records of the right width and ``bad`` quarantine rows for the
    rest, both from ``split``. records: a relation (line_no, raw_text); blank records are skipped, as the per-line
    split did. DuckDB's trim with a character set is slow, so only records holding whitespace other than spaces
    (``odd``) take it; records with a space next to a comma or at an end (``spaced``) take the plain trim of spaces;
    the rest, nearly all (190 of 295,736 in a 10x register are spaced), have no field to trim and keep the split's
    strings as they are (16 trims per record were 0.32 CPU-s at 10x; 0.10 now, 0.05 more to find the spaced).
    """
    n = len(columns)
    ws, odd = "[" + WHITESPACE + "]", "[" + WHITESPACE.replace(" ", "") + "]"
    spaced = (
        "contains(raw_text, ' ,') OR contains(raw_text, ', ') OR starts_with(raw_text, ' ') OR ends_with(raw_text, ' ')"
    )
    select = (
        f"SELECT line_no, raw_text, string_split(raw_text, ',') AS p, regexp_matches(raw_text, {lit(odd)}) AS odd, "
        f"{spaced} AS spaced FROM {records} WHERE NOT regexp_full_match(raw_text, {lit(ws + '*')})"
    )
    fields = ", ".join(
        f"CASE WHEN odd THEN {strip_sql(f'p[{j + 1}]')} WHEN spaced THEN trim(p[{j + 1}]) ELSE p[{j + 1}] END AS {c}"
        for j, c in enumerate(columns)
    )
    good = f"SELECT line_no, raw_text, {fields} FROM {split} WHERE len(p) = {n}"
    bad = (
        f"SELECT line_no, raw_text, 'expected {n} comma-separated fields, found ' || len(p) AS reason "
        f"FROM {split} WHERE len(p) <> {n}"
    )
    return select, good, bad


def _cast(col: str, kind: str) -> str:
    """The typed value of one stripped text field, as polars' non-strict casts read it.

    Numbers take a fast path first, for the text a register nearly always holds: a whole number that DuckDB prints
    back as written (``12``), or a decimal of digits and dots that DuckDB reads (``8.5``); those read the same either
    way, and every other text (signs, exponents, spaces, ``012``) takes the pattern. At 10x the register the six
    number columns cost 0.27 CPU-s with the pattern for every value, 0.15 with the fast path."""
    squeezed = f"replace({col}, ' ', '')"
    if kind in ("number", "int", "year"):
        pattern, dtype = (NUMBER_RE, "DOUBLE") if kind == "number" else (INT_RE, "BIGINT")
        if dtype == "BIGINT":
            plain = f"TRY_CAST({col} AS BIGINT)::VARCHAR = {col}"
        else:
            plain = f"NOT regexp_matches({col}, '[^0-9.]') AND TRY_CAST({col} AS DOUBLE) IS NOT NULL"
        return (
            f"CASE WHEN {col} = '' THEN NULL WHEN {plain} THEN CAST({col} AS {dtype}) "
            f"WHEN regexp_full_match({squeezed}, {lit(pattern)}) THEN TRY_CAST({squeezed} AS {dtype}) END"
        )
    if kind == "yes_no":
        return f"CASE {col} WHEN 'Yes' THEN TRUE WHEN 'No' THEN FALSE END"
    if kind == "flag_q":
        return f"({col} = '?')"
    return f"nullif({col}, '')"


def _problem(col: str, kind: str, label: str) -> str:
    """A reason when the text ``_x_<col>`` did not cast to ``col`` (over the cast relation ``t``)."""
    text, value = f"t._x_{col}", f"t.{col}"
    bad = f"{text} <> '' AND "
    if kind in ("number", "int", "year"):
        bad += f"({value} IS NULL" + (f" OR {value} < 1900 OR {value} > 2100)" if kind == "year" else ")")
        what = "a number" if kind == "number" else ("a whole number" if kind == "int" else "a year")
    elif kind == "yes_no":
        bad, what = bad + f"{text} NOT IN ('Yes', 'No')", "Yes, No or empty"
    else:
        bad, what = bad + f"{text} <> '?'", "'?' or empty"
    return f"CASE WHEN {bad} THEN {lit(label + ' ' + chr(39))} || {text} || {lit(chr(39) + ' is not ' + what)} END"


def typed_sql(
    fields: str, cast_table: str, kinds: dict[str, tuple[str, str]], extra_reasons: list[str] = ()
) -> tuple[str, str]:
    """(cast, check): cast selects typed columns (and the checked texts as ``_x_<col>``) from ``fields``; check
    selects the typed columns and ``reason`` (what is wrong, '; '-joined; NULL when the row is fine) from the
    materialised cast. Two steps, so each field is split, stripped and cast once.

    kinds maps column -> (kind, label) with kind in: number, int, year, yes_no, flag_q, text. extra_reasons:
    SQL expressions over the typed columns (``t.<col>``), appended in order after the cast problems.
    """
    checked = [c for c, (kind, _) in kinds.items() if kind != "text"]
    values = [f"{_cast(f'f.{c}', kind)} AS {c}" for c, (kind, _) in kinds.items()]
    texts = ", ".join(f"f.{c} AS _x_{c}" for c in checked)
    cast = f"SELECT f.line_no, f.raw_text, {', '.join(values)}, {texts} FROM {fields} f"
    reasons = ", ".join([*(_problem(c, kinds[c][0], kinds[c][1]) for c in checked), *extra_reasons])
    hidden = ", ".join(f"_x_{c}" for c in checked)
    return cast, f"SELECT t.* EXCLUDE ({hidden}), nullif(concat_ws('; ', {reasons}), '') AS reason FROM {cast_table} t"
