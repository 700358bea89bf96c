"""Staging: parse the source's current batch into ``staging.<table>``; unreadable rows go to quarantine.

Staging tables live in the run's in-memory ``staging`` database (``warehouse.attach_staging``), never in the
warehouse file: the raw payloads are what is kept; a run stages the sources it loads, and those a rebuilding step
reads (``ensure_staged``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import polars as pl

from ..runs import RunContext
from ..sources import sipri_stage, sipri_tiv, unoda, wikidata
from ..sources.text_table import QUARANTINE_SCHEMA
from ..warehouse import connect, ensure_tables, scan_frame, table_exists
from .common import current_batch, current_batch_ids, quarantine, set_counts


def parse_unoda(m: dict, body: bytes):
    return (*unoda.parse_treaty_actions(body, m["request_name"], m["sha256"]), None)


def parse_wikidata(m: dict, body: bytes):
    return (*wikidata.parse_memberships(body, m["request_name"], m["sha256"]), None)


def parse_tiv(m: dict, body: bytes):
    parsed = sipri_tiv.parse_tiv_table(body, m["sha256"], f"{m['request_name']} ({m['url']})")
    return (
        parsed.values.with_columns(source_release=pl.lit(parsed.release)),
        parsed.quarantine,
        parsed.rows_in,
        parsed.release,
    )


STAGING = {
    "unoda": ("treaty_action", parse_unoda, unoda.ACTION_SCHEMA),
    "wikidata": ("alliance_membership", parse_wikidata, wikidata.MEMBER_SCHEMA),
    "sipri_tiv": ("tiv_value", parse_tiv, sipri_tiv.SCHEMA),
}


STAGED_TABLE = {"sipri": "sipri_trade", **{s: v[0] for s, v in STAGING.items()}}  # staging.<table> per source


def parse_batch(batch: pl.DataFrame, parse, empty_schema) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Every payload of a batch -> (rows, quarantine, per-request counts); a recording's own label wins."""
    frames, quarantined, counts = [], [], []
    for m in batch.iter_rows(named=True):
        frame, q, rows_in, release = parse(m, Path(m["raw_path"]).read_bytes())
        release = m["source_release"] or release
        if release and "source_release" in frame.columns:
            frame = frame.with_columns(source_release=pl.lit(release))
        frames.append(frame)
        quarantined.append(q)
        counts.append({"request_name": m["request_name"], "rows_in": rows_in, "source_release": release})
    rows = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema=empty_schema)
    q = pl.concat(quarantined) if quarantined else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return (
        rows,
        q,
        pl.DataFrame(counts, schema={"request_name": pl.Utf8, "rows_in": pl.Int64, "source_release": pl.Utf8}),
    )


def stage_sipri(con, batch: pl.DataFrame, record: bool = True) -> dict:
    """SIPRI payloads are parsed inside DuckDB, streamed from raw/ (see ``sources.sipri_stage``)."""
    sipri_stage.create_trade_table(con)
    if record:
        ensure_tables(con, "quarantine")
        con.execute("DELETE FROM quarantine WHERE source = 'sipri' AND stage = 'parse'")
    counts, rows, quarantined = [], 0, 0
    for seq, m in enumerate(batch.iter_rows(named=True)):
        what = f"{m['request_name']} ({m['url']})"
        out = sipri_stage.stage_payload(
            con, Path(m["raw_path"]), m["format"], m["sha256"], what, seq, m["source_release"], record
        )
        counts.append({"request_name": m["request_name"], "rows_in": out["rows_in"], "source_release": out["release"]})
        rows, quarantined = rows + out["rows"], quarantined + out["quarantined"]
    if counts and record:
        set_counts(con, batch["batch_id"][0], pl.DataFrame(counts))
    return {"rows": rows, "quarantined": quarantined, "payloads": batch.height}


def stage(con, source: str, record: bool = True) -> dict:
    """The source's current batch -> ``staging.<table>`` (the run's in-memory staging, ``warehouse.attach_staging``).

    ``record``: also write the parse quarantine and the per-payload counts (the run that loaded the batch does; a
    later run staging the same payloads again leaves what that run recorded)."""
    batch = current_batch(con, source)
    if source == "sipri":
        return stage_sipri(con, batch, record)
    table, parse, empty_schema = STAGING[source]
    rows, q, counts = parse_batch(batch, parse, empty_schema)
    scan_frame(con, rows, f"CREATE OR REPLACE TABLE staging.{table} AS SELECT * FROM {{frame}}")
    if record:
        quarantine(con, source, "parse", q)
        if counts.height:
            set_counts(con, batch["batch_id"][0], counts)
    return {"rows": rows.height, "quarantined": q.height, "payloads": batch.height}


_STAGING_LOCK = threading.Lock()  # two steps side by side may both need a source staged again


def ensure_staged(ctx: RunContext, source: str, reader: str) -> None:
    """Stage the source's current batch again unless this run staged it already (or it has none).

    Staging lives only in the run (``warehouse.attach_staging``): a run that did not load a source stages its kept
    payloads again when a step that reads them (``reader``) rebuilds, or when no earlier run remembered what they
    stage to (``reuse``)."""
    with _STAGING_LOCK, connect(ctx.build_path) as con:
        if table_exists(con, STAGED_TABLE[source], "staging") or source not in current_batch_ids(con):
            return
        t0 = time.perf_counter()
        counts = stage(con, source, record=False)
    ctx.progress(
        f"      {reader}: staged {source}'s current batch again ({counts['rows']} rows, "
        f"{time.perf_counter() - t0:.1f} s; staging is kept only within a run)"
    )


def stage_step(source: str):
    def run(ctx: RunContext) -> dict:
        if source not in ctx.loads:
            return {"kept": "current batch (staged again only if a step that reads it rebuilds)"}
        with connect(ctx.build_path) as con:
            return stage(con, source)

    run.__name__ = f"stage_{source}"
    return run
