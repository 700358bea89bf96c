"""Shared handling of SIPRI's unquoted CSV: preamble, strict header, row splitting and typed casting.

Parsers return two frames: the typed rows, and quarantine rows (line, raw text, reason) for anything that
could not be read. Nothing is dropped: rows in = rows out + rows quarantined.
"""

from __future__ import annotations

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


def split_rows(
    records: list[tuple[int, str]], columns: list[str], chunk: int = 100_000
) -> tuple[pl.DataFrame, list[tuple[int, str, str]]]:
    """Unquoted comma-separated records -> (frame of stripped text fields, [(line, raw, reason)] for wrong widths).

    Vectorised in polars (no per-cell Python): same output as splitting each line with ``str.split(",")`` and
    ``str.strip()``; blank lines are skipped. Works ``chunk`` records at a time because polars materialises every
    field of a split before selecting them (~150 MB transient per 300k legacy rows), so peak memory stays bounded.
    """
    n, frames, bad = len(columns), [], []
    fields = pl.col("raw_text").str.split_exact(",", n - 1).struct
    for start in range(0, max(len(records), 1), chunk):
        part = records[start : start + chunk]
        lines = pl.DataFrame(
            {"line_no": [r[0] for r in part], "raw_text": [r[1] for r in part]},
            schema={"line_no": pl.Int64, "raw_text": pl.Utf8},
        )
        lines = lines.filter(pl.col("raw_text").str.strip_chars() != "").with_columns(
            (pl.col("raw_text").str.count_matches(",", literal=True) + 1).alias("_n")
        )
        bad += [
            (line_no, raw, f"expected {n} comma-separated fields, found {k}")
            for line_no, raw, k in lines.filter(pl.col("_n") != n).iter_rows()
        ]
        stripped = [fields.field(f"field_{j}").str.strip_chars().alias(c) for j, c in enumerate(columns)]
        frames.append(lines.filter(pl.col("_n") == n).select("line_no", "raw_text", *stripped))
    return pl.concat(frames, rechunk=False), bad


def join_reasons(parts: list[pl.Expr]) -> pl.Expr:
    """Join the non-null reason fragments with '; '; null when there are none."""
    joined = pl.concat_str(parts, separator="; ", ignore_nulls=True)
    return pl.when(joined == "").then(None).otherwise(joined)


def cast_columns(frame: pl.DataFrame, kinds: dict[str, tuple[str, str]]) -> tuple[pl.DataFrame, pl.Series]:
    """Cast text columns by kind; return the typed frame and a reason per row (null when the row is fine).

    kinds maps column -> (kind, label) with kind in: number, int, year, yes_no, flag_q, text.
    """
    casts, problems = [], []
    for col, (kind, label) in kinds.items():
        raw = pl.col(col)
        empty = raw == ""
        if kind in ("number", "int", "year"):
            dtype = pl.Float64 if kind == "number" else pl.Int64
            value = pl.when(empty).then(None).otherwise(raw.str.replace_all(" ", "").cast(dtype, strict=False))
            bad = ~empty & value.is_null()
            what = "a number" if kind == "number" else ("a whole number" if kind == "int" else "a year")
            if kind == "year":
                bad = bad | (~empty & ((value < 1900) | (value > 2100)))
            casts.append(value.alias(col))
        elif kind == "yes_no":
            value = pl.when(raw == "Yes").then(True).when(raw == "No").then(False).otherwise(None)
            bad = ~empty & ~raw.is_in(["Yes", "No"])
            what = "Yes, No or empty"
            casts.append(value.alias(col))
        elif kind == "flag_q":
            value = raw == "?"
            bad = ~empty & (raw != "?")
            what = "'?' or empty"
            casts.append(value.alias(col))
        else:
            casts.append(pl.when(empty).then(None).otherwise(raw).alias(col))
            continue
        problems.append(pl.when(bad).then(pl.format(f"{label} '{{}}' is not {what}", raw)))
    reason = (
        frame.select(join_reasons(problems).alias("reason"))["reason"]
        if problems
        else pl.Series("reason", [None] * frame.height, dtype=pl.Utf8)
    )
    return frame.with_columns(casts), reason
