"""SIPRI's TIV tables: per-year TIV by party, its names resolved with the register's rules."""

from __future__ import annotations

import polars as pl

from ..runs import RunContext
from ..sources import sipri_tiv
from ..warehouse import connect
from .common import record_loaded, source_aliases, staged


def build_tiv_table(ctx: RunContext) -> dict:
    """staging.tiv_value -> tiv_country_year (empty when no table is loaded, so the reconciliation rule runs)."""
    with connect(ctx.build_path) as con:
        frame = staged(con, "tiv_value", "SELECT * FROM staging.tiv_value")
        if frame.height == 0:
            frame = pl.DataFrame(schema=sipri_tiv.SCHEMA)
        elif "source_release" in frame.columns:
            frame = frame.with_columns(release=pl.coalesce("source_release", "release")).drop("source_release")
        unmatched = sipri_tiv.load_tiv_table(con, frame, source_aliases(con, "sipri"))
        lines = frame.group_by("payload_sha256").agg(pl.col("line_no").n_unique().alias("rows_loaded"))
        record_loaded(con, "sipri_tiv", lines)  # rows are the table's lines (one per party), values are years
    return {"values": frame.height, "unmatched_parties": sorted(set(unmatched["party"]))}
