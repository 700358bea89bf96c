"""What every stage step shares: reference files, the current batch of a source, quarantine and row counts."""

from __future__ import annotations

import polars as pl

from ..config import Settings
from ..sources.text_table import join_reasons
from ..warehouse import ensure_tables, replace_rows, table_exists, table_frame, transaction


def reference(settings: Settings, name: str) -> pl.DataFrame:
    return pl.read_csv(settings.reference_dir / name, infer_schema_length=0)


def dated(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).str.to_date() for c in cols)


def current_batch(con, source: str) -> pl.DataFrame:
    """The payloads of a source's newest batch in this build (the one the run loaded, or the published one)."""
    ensure_tables(con, "load_manifest")
    return table_frame(
        con,
        "SELECT * FROM load_manifest WHERE batch_id = (SELECT max(batch_id) FROM load_manifest "
        "WHERE source = ?) ORDER BY request_name",
        [source],
    )


def current_batch_ids(con) -> dict[str, str]:
    ensure_tables(con, "load_manifest")
    return dict(con.execute("SELECT source, max(batch_id) FROM load_manifest GROUP BY source").fetchall())


def staged(con, table: str, sql: str) -> pl.DataFrame:
    """Rows from a staging table, or an empty frame when that source was never staged in this warehouse."""
    if not table_exists(con, table, "staging"):
        return pl.DataFrame()
    return table_frame(con, sql)


def set_counts(con, batch_id: str, counts: pl.DataFrame) -> None:
    """counts: request_name plus any of rows_in, rows_loaded, rows_quarantined, source_release."""
    with transaction(con):  # one commit for all payloads
        for row in counts.iter_rows(named=True):
            cols = [c for c in row if c != "request_name"]
            con.execute(
                f"UPDATE load_manifest SET {', '.join(f'{c} = ?' for c in cols)} "
                "WHERE batch_id = ? AND request_name = ?",
                [row[c] for c in cols] + [batch_id, row["request_name"]],
            )


def quarantine(con, source: str, stage: str, frame: pl.DataFrame) -> None:
    replace_rows(con, "quarantine", {"source": source, "stage": stage}, frame.with_columns(stage=pl.lit(stage)))


def record_loaded(con, source: str, loaded: pl.DataFrame) -> None:
    """Write rows_loaded and rows_quarantined per payload of the current batch, so counts reconcile."""
    batch = current_batch(con, source)
    if batch.height == 0:
        return
    q = table_frame(
        con,
        "SELECT payload_sha256, count(*) AS rows_quarantined FROM quarantine WHERE source = ? GROUP BY ALL",
        [source],
    )
    counts = (
        batch.select("request_name", payload_sha256="sha256")
        .join(loaded, on="payload_sha256", how="left")
        .join(q, on="payload_sha256", how="left")
        .select(
            "request_name",
            pl.col("rows_loaded").fill_null(0).cast(pl.Int64),
            pl.col("rows_quarantined").fill_null(0).cast(pl.Int64),
        )
    )
    set_counts(con, batch["batch_id"][0], counts)


def resolve_column(aliases: pl.DataFrame, frame: pl.DataFrame, name_col: str, id_col: str) -> pl.DataFrame:
    """Attach entity ids to raw names through the source's alias rows (raw_name, entity_id)."""
    return frame.join(aliases.rename({"raw_name": name_col, "entity_id": id_col}), on=name_col, how="left")


def aliases_sql(source: str) -> str:
    """The aliases of one source (a name from ``config.SOURCES``), as ``source_aliases`` reads them; a step's reuse
    digest (``Step.reads``) reads the same query."""
    return f"SELECT raw_name, entity_id FROM entity_alias WHERE source = '{source}'"


def source_aliases(con, source: str) -> pl.DataFrame:
    return table_frame(con, aliases_sql(source))


def split_unresolved(
    frame: pl.DataFrame,
    source: str,
    checks: list[tuple[str, str, str]],
    raw_col: str = "raw_text",
    line_col: str = "line_no",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows whose names resolved from those that did not; the latter become quarantine rows."""
    reasons = [
        pl.when(pl.col(id_col).is_null()).then(
            pl.format(
                f"{label} '{{}}' matches no entity; add it to data_contracts/reference/aliases.csv", pl.col(name_col)
            )
        )
        for label, name_col, id_col in checks
    ]
    frame = frame.with_columns(join_reasons(reasons).alias("_reason"))
    bad = frame.filter(pl.col("_reason").is_not_null())
    q = bad.select(
        source=pl.lit(source),
        payload_sha256="payload_sha256",
        line_no=pl.col(line_col),
        raw_text=pl.col(raw_col),
        reason="_reason",
    )
    return frame.filter(pl.col("_reason").is_null()).drop("_reason"), q
