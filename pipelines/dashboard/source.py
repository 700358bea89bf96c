"""Where the dashboard's numbers come from: the published file, opened read-only per query, or the team's
DuckLake catalog when ARMSFLOW_WAREHOUSE names one; and the cache key that changes when a new state is published."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd


def warehouse_path() -> Path:
    return Path(os.environ.get("ARMSFLOW_HOME", ".armsflow")).resolve() / "warehouse.duckdb"


_LAKE: list = []  # one read-only lake connection per dashboard process (opening one costs 1-2 s)


def lake_connection() -> duckdb.DuckDBPyConnection | None:
    """With a team target (ARMSFLOW_WAREHOUSE=ducklake:...), the sandboxed reader on the catalog; else None.

    Each query runs in its own transaction, so the long-lived connection sees every newly published snapshot."""
    from pipelines.config import load_settings

    settings = load_settings()
    if not settings.target.is_ducklake:
        return None
    if not _LAKE:
        from pipelines.readers import open_published

        _LAKE.append(open_published(settings))
    return _LAKE[0]


def version(path: Path) -> tuple:
    """Identifies one published state, the cache key for queries: the file's identity (a refresh renames a new
    inode into place), or the lake's current snapshot id."""
    lake = lake_connection()
    if lake is not None:
        from pipelines.targets.ducklake import current_snapshot

        return (str(path), "ducklake", current_snapshot(lake))
    st = path.stat()
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)


def query(path: Path, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Open read-only, run, close: the dashboard never keeps the warehouse open between queries."""
    lake = lake_connection()
    if lake is not None:
        cur = lake.cursor()  # a cursor per query: Streamlit serves sessions from several threads
        try:
            cur.execute("USE lake")
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()
