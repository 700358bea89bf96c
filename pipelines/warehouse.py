"""The DuckDB files: a private build file that steps write, and the published file readers open.

DuckDB allows one writing process per file. Every write goes through ``build_connection``, which holds an
exclusive ``flock`` on a lock file beside the build file, so Dagster's multiprocess executor serialises its
writers instead of failing with "could not set lock". Readers never touch the build file: ``publish`` copies it
to a temporary file beside the published one and swaps it in with ``os.replace`` (atomic on POSIX), so a reader
sees the old warehouse or the new one, never half of one, and is never locked out.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

from .config import SQL_DIR, Settings


@contextmanager
def build_connection(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    settings.build_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = settings.build_path.with_suffix(".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        con = duckdb.connect(str(settings.build_path))
        try:
            yield con
        finally:
            con.close()
            fcntl.flock(lock, fcntl.LOCK_UN)


def sql_text(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def ensure_tables(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Create accumulating tables (manifest, quarantine, check results) if this build file lacks them."""
    for table in tables:
        con.execute(sql_text(f"tables/{table}.sql"))


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Recreate a table from its DDL and load the frame by column name: idempotent, typed, constrained."""
    con.execute(sql_text(f"tables/{table}.sql"))
    return _insert(con, table, frame)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Insert by column name; frame columns the table does not declare (helpers like raw_text) are left out."""
    declared = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                          [table]).fetchall()}
    columns = [c for c in frame.columns if c in declared]
    if frame.height:
        con.register("_frame", frame.select(columns).to_arrow())
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
        finally:
            con.unregister("_frame")
    return frame.height


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, where: dict[str, str], frame: pl.DataFrame) -> int:
    """Replace one slice (e.g. one source's quarantine rows) of an accumulating table."""
    ensure_tables(con, table)
    clause = " AND ".join(f"{k} = ?" for k in where)
    con.execute(f"DELETE FROM {table} WHERE {clause}", list(where.values()))
    return _insert(con, table, frame)


def run_sql_file(con: duckdb.DuckDBPyConnection, relative: str) -> None:
    con.execute(sql_text(relative))


def table_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


def publish(settings: Settings) -> Path:
    """Copy the finished build beside the published file, then atomically rename it into place."""
    with build_connection(settings) as con:
        con.execute("CHECKPOINT")
        target = settings.published_path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(settings.build_path, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target

