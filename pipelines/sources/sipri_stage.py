"""A landed SIPRI payload -> ``staging.sipri_trade`` rows and quarantine rows, parsed inside DuckDB.

The payload is read a chunk at a time (``streams``) into a table of lines (``text_table.load_lines``); the
legacy export's records broken by raw newlines are glued (only the short lines reach Python); fields are
split, stripped and cast in SQL with the reasons the polars parser gave. Legacy deal keys are computed in SQL
with DuckDB's ``sha1``: the same keys as before, so history and diffs keep matching across releases.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import polars as pl

from ..warehouse import frame_of, register_frame
from . import sipri
from .streams import api_csv_chunks, text_chunks
from .text_table import WHITESPACE, lit, load_lines, release_from_preamble, split_preamble, split_sql, typed_sql

STATUS_REASON = (
    "CASE WHEN t.status NOT IN ('New', 'Second hand', 'Second hand but modernized') THEN 'status ''' || t.status "
    "|| ''' is not one of New, Second hand, Second hand but modernized' END"
)
YEARS_REASON = (
    "CASE WHEN NOT regexp_full_match(coalesce(t.delivery_years, ''), '([0-9]{4}(; [0-9]{4})*)?') "
    "THEN 'Year(s) of delivery ''' || t.delivery_years || ''' is not a ''; ''-separated list of years' END"
)
TRADE_TABLE = """CREATE TABLE IF NOT EXISTS staging.sipri_trade (
    line_no BIGINT, raw_text VARCHAR, sipri_id BIGINT, supplier VARCHAR, recipient VARCHAR, designation VARCHAR,
    description VARCHAR, armament_category VARCHAR, order_year BIGINT, order_year_is_estimate BOOLEAN,
    numbers_ordered BIGINT, numbers_ordered_is_estimate BOOLEAN, numbers_delivered BIGINT,
    numbers_delivered_is_estimate BOOLEAN, delivery_year BIGINT, delivery_year_is_estimate BOOLEAN,
    delivery_years VARCHAR, status VARCHAR, comments VARCHAR, tiv_unit_new DOUBLE, tiv_unit_deal DOUBLE,
    tiv_order DOUBLE, tiv_delivered DOUBLE, local_production BOOLEAN, deal_id VARCHAR, payload_sha256 VARCHAR,
    source_format VARCHAR, source_release VARCHAR, payload_seq INTEGER
)"""
COMMAS = "(len(string_split(text, ',')) - 1)"  # commas in a line (fields - 1)
RECORD_COMMAS = COMMAS.replace("text", "raw_text")
BLANK = "[" + WHITESPACE + "]*"  # a blank record (skipped, as the per-line split did)


def create_trade_table(con) -> None:
    """staging.sipri_trade, empty (``staging``: the run's in-memory database, ``warehouse.attach_staging``)."""
    con.execute("DROP TABLE IF EXISTS staging.sipri_trade")
    con.execute(TRADE_TABLE)


def _glue_legacy(con, n_commas: int) -> None:
    """_records: a view of the legacy lines after the header, broken records glued (only short lines reach Python).

    A broken record is short lines followed by at most one full line, so the short lines and the line after
    each are all ``_join_broken_lines`` needs; every other line is a record as it stands (read from ``_lines``
    through the view, not copied).
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _short AS SELECT line_no FROM _lines "
        f"WHERE line_no > 12 AND {COMMAS} < {n_commas}"
    )
    pieces = con.execute(
        "SELECT line_no, text FROM _lines WHERE line_no IN (SELECT line_no FROM _short) "
        "OR line_no - 1 IN (SELECT line_no FROM _short) ORDER BY line_no"
    ).fetchall()
    glued = sipri._join_broken_lines(pieces, n_commas)
    frame = pl.DataFrame(glued, schema={"line_no": pl.Int64, "raw_text": pl.Utf8}, orient="row")
    register_frame(con, "_glued", frame)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _records AS SELECT line_no, text AS raw_text FROM _lines WHERE line_no > 12 "
        "AND line_no NOT IN (SELECT line_no FROM _short) AND line_no - 1 NOT IN (SELECT line_no FROM _short) "
        "UNION ALL SELECT line_no, raw_text FROM _glued"
    )


def _legacy_hash(typed: str) -> str:
    """The typed records with ``_d``: the first 16 hex of the sha1 of the deal's fields joined by '|'.

    One ``concat`` call builds the text (every part is non-NULL, so it equals the chain of ``||`` it replaced,
    which built an intermediate string per part: 0.5 CPU-s instead of 0.35 at 10x)."""
    content = "concat(" + ", '|', ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in sipri.LEGACY_COLUMNS) + ")"
    return f"SELECT *, left(sha1({content}), 16) AS _d FROM ({typed})"


# L-<_d>, then -2, -3... for identical twins (file order): the rows of this payload whose key is held by more
# than one row get the suffix from their rank by line number. Twins are rare, so only they are numbered (a hash
# aggregate finds them), and an UPDATE rewrites their keys in place.
TWINS = """
UPDATE staging.sipri_trade AS s SET deal_id = s.deal_id || '-' || w.pos
FROM (SELECT line_no, row_number() OVER (PARTITION BY deal_id ORDER BY line_no) AS pos FROM staging.sipri_trade
      WHERE payload_seq = $seq AND deal_id IN (SELECT deal_id FROM staging.sipri_trade WHERE payload_seq = $seq
                                               GROUP BY deal_id HAVING count(*) > 1)) AS w
WHERE s.payload_seq = $seq AND s.line_no = w.line_no AND w.pos > 1
"""
# A typed record that failed a check is written to staging with its reason in deal_id behind this mark (no key
# starts with it: legacy keys start with L-, API keys are numbers), moved to quarantine, then deleted.
FAILED = "!"


def _typed_sql(columns: list[str], kinds: dict, extra: list[str]) -> tuple[str, str]:
    """(typed, width_bad) over ``_records``: typed selects every record of the right width split, stripped, cast
    and checked (``reason``) in one query (text_table's steps nested as subqueries, nothing materialised in
    between); width_bad the quarantine rows of the other non-blank records, by their count of commas."""
    split, _, _ = split_sql("_records", columns)
    _, fields, _ = split_sql("_records", columns, f"({split})")
    cast, _ = typed_sql(f"({fields})", "_cast", kinds, extra)
    _, typed = typed_sql(f"({fields})", f"({cast})", kinds, extra)
    n = len(columns)
    width_bad = (
        f"SELECT line_no, raw_text, 'expected {n} comma-separated fields, found ' || ({RECORD_COMMAS} + 1) AS reason "
        f"FROM _records WHERE {RECORD_COMMAS} <> {n - 1} AND NOT regexp_full_match(raw_text, {lit(BLANK)})"
    )
    return typed, width_bad


def stage_payload(
    con, path: Path, fmt: str, sha: str, what: str, seq: int = 0, release: str | None = None, record: bool = True
) -> dict:
    """One landed payload -> rows of staging.sipri_trade (created by ``create_trade_table``) and quarantine.

    Returns rows_in (records read), rows (staged), quarantined, and the release (``release`` wins when given).
    ``record=False`` (a payload staged again in a later run) leaves quarantine alone: its rows are there already.
    """
    legacy = fmt == "legacy-export"
    if legacy:
        chunks = text_chunks(path, sipri.SOURCE, what)
    else:
        chunks = api_csv_chunks(path, sipri.SOURCE, what, sipri.decode_api_response)
    n_lines = load_lines(con, "_lines", chunks, "rstrip" if legacy else "crlf")
    head = [t for (t,) in con.execute("SELECT text FROM _lines WHERE line_no <= 12 ORDER BY line_no").fetchall()]
    header = sipri.LEGACY_HEADER if legacy else sipri.API_HEADER
    preamble, _ = split_preamble(head if n_lines > 12 else head[:n_lines], sipri.SOURCE, what, header)
    release = release or release_from_preamble(preamble)
    if legacy:
        _glue_legacy(con, len(sipri.LEGACY_HEADER) - 1)
    else:
        con.execute(
            "CREATE OR REPLACE TEMP VIEW _records AS SELECT line_no, text AS raw_text FROM _lines WHERE line_no > 12"
        )
    columns, kinds = (sipri.LEGACY_COLUMNS, sipri.LEGACY_KINDS) if legacy else (sipri.API_COLUMNS, sipri.API_KINDS)
    typed, width_bad = _typed_sql(columns, kinds, [YEARS_REASON, STATUS_REASON] if legacy else [STATUS_REASON])
    # The typed records (split, stripped, cast and checked in one query, nothing materialised in between) go
    # straight into staging, those that failed a check with their reason in deal_id (``FAILED``): one pass and one
    # copy of the register (a temp table of every typed record, then copied into staging, cost 0.6 CPU-s more at
    # 10x and spilled at 100x). The few of the wrong width are a table of their own; the lines go once both are read.
    key = "'L-' || _d" if legacy else "CAST(sipri_id AS VARCHAR)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _width_bad AS {width_bad}")
    typed_rows = con.execute(
        f"INSERT INTO staging.sipri_trade BY NAME SELECT * EXCLUDE (reason{', _d' if legacy else ''}), "
        f"CASE WHEN reason IS NULL THEN {key} ELSE {lit(FAILED)} || reason END AS deal_id, "
        f"{lit(sha)} AS payload_sha256, {lit(fmt)} AS source_format, {lit(release)} AS source_release, "
        f"{seq} AS payload_seq FROM ({_legacy_hash(typed) if legacy else typed})"
    ).fetchone()[0]
    con.execute("DROP VIEW _records")
    for table in ("_lines", "_short", "_glued") if legacy else ("_lines",):
        con.execute(f"DROP TABLE {table}")
    failed = f"payload_seq = {seq} AND starts_with(deal_id, {lit(FAILED)})"
    if record:
        con.execute(
            f"INSERT INTO quarantine BY NAME SELECT 'sipri' AS source, 'parse' AS stage, {lit(sha)} AS payload_sha256, "
            "line_no, raw_text, reason FROM (SELECT * FROM _width_bad UNION ALL SELECT line_no, raw_text, "
            f"substr(deal_id, {len(FAILED) + 1}) AS reason FROM staging.sipri_trade WHERE {failed})"
        )
    bad = con.execute(f"DELETE FROM staging.sipri_trade WHERE {failed}").fetchone()[0]
    if legacy:
        con.execute(TWINS, {"seq": seq})
    rows_in = typed_rows + con.execute("SELECT count(*) FROM _width_bad").fetchone()[0]
    con.execute("DROP TABLE _width_bad")
    rows = typed_rows - bad
    return {"rows_in": rows_in, "rows": rows, "quarantined": rows_in - rows, "release": release}


def parse_bytes(body: bytes, fmt: str, sha: str, what: str) -> tuple[pl.DataFrame, pl.DataFrame, str, int]:
    """``stage_payload`` on a payload in memory, in a throwaway DuckDB: (trades, quarantine, release, rows_in)."""
    from ..warehouse import attach_staging, ensure_tables

    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as con:
        path = Path(tmp) / "payload"
        path.write_bytes(body)
        attach_staging(con)
        ensure_tables(con, "quarantine")
        create_trade_table(con)
        out = stage_payload(con, path, fmt, sha, what)
        trades = con.sql(
            "SELECT * EXCLUDE (payload_seq, source_format, source_release) FROM staging.sipri_trade ORDER BY line_no"
        )
        quarantine = con.sql(
            "SELECT source, payload_sha256, line_no, raw_text, reason FROM quarantine ORDER BY line_no"
        )
        return (
            frame_of(trades),
            frame_of(quarantine),
            out["release"],
            out["rows_in"],
        )
