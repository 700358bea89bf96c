"""Alliances: the current ATOP and COW files parsed, linked to entities by COW code and reconciled with the
curated facts (``pipelines.alliance_load`` holds the pure logic)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import alliance_load
from ..runs import RunContext
from ..warehouse import connect, replace_table, table_frame
from .common import current_batch, dated, quarantine, reference, set_counts

SOURCES = ("atop", "cow")


def batch_files(con) -> tuple[list[tuple[str, bytes]], dict[str, pl.DataFrame]]:
    """(file name, bytes) of the current ATOP and COW batches, and each batch's manifest rows."""
    files, batches = [], {}
    for source in SOURCES:
        batch = current_batch(con, source)
        batches[source] = batch
        for m in batch.iter_rows(named=True):
            files.append((m["request_name"].removeprefix("import:"), Path(m["raw_path"]).read_bytes()))
    return files, batches


def build_alliances(ctx: RunContext) -> dict:
    curated = dated(reference(ctx.settings, "alliance_membership.csv"), "start_date", "end_date")
    with connect(ctx.build_path) as con:
        files, batches = batch_files(con)
        tables = alliance_load.build(files, table_frame(con, "SELECT * FROM entity"), curated)
        replace_table(con, "alliance", tables.alliance)
        replace_table(con, "alliance_member", tables.alliance_member)
        replace_table(con, "alliance_reconciliation", tables.alliance_reconciliation)
        replace_table(con, "alliance_unresolved", tables.unresolved)
        for source, batch in batches.items():
            quarantine(con, source, "parse", tables.quarantine.filter(pl.col("source") == source))
            if batch.height:
                counts = (
                    batch.select("request_name", payload_sha256="sha256")
                    .join(
                        tables.counts.select("payload_sha256", "rows_in", "rows_loaded", "rows_quarantined"),
                        on="payload_sha256",
                        how="left",
                    )
                    .drop("payload_sha256")
                )
                set_counts(con, batch["batch_id"][0], counts)
    return {
        "alliances": tables.alliance.height,
        "members": tables.alliance_member.height,
        "unresolved": tables.unresolved.height,
        "reconciliation_issues": tables.alliance_reconciliation.height,
        "quarantined": tables.quarantine.height,
    }
