"""Publish a checked build into a DuckLake catalog (PostgreSQL + Parquet) and open read-only readers on it.

One publish is one DuckDB transaction on the lake: every checked table is replaced, tables no longer built are
dropped, the "as of" macros are recreated and the snapshot is tagged (author ``armsflow``, message with the run
id, extra info as JSON with run id, releases and row counts). DuckLake commits that as ONE snapshot, so readers
see the previous snapshot or the new one, never half. If anything fails (PostgreSQL down or stopped mid-publish,
data path unwritable, another publisher committed first) the transaction is rolled back, the catalog stays at
its previous snapshot and an ArmsflowError says what happened and what to do. Parquet files a failed publish
already wrote are unreferenced; ``ducklake_delete_orphaned_files`` removes them (see maintenance in the README).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from ..config import SQL_DIR
from ..errors import ArmsflowError
from . import redact
from .extensions import connect_with_extensions

LAKE = "lake"
AUTHOR = "armsflow"


class LakeError(ArmsflowError):
    """A DuckLake publish or read failed; the message names the catalog, the data path and what to do."""


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_local(data_path: str) -> bool:
    return "://" not in data_path


def check_data_path(data_path: str) -> None:
    """Fail before touching the catalog when a local data path cannot take new files."""
    if not _is_local(data_path):
        return  # object storage: DuckDB reports credentials or permission problems when it writes
    folder = Path(data_path)
    probe = folder / f".armsflow-probe-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise LakeError(
            f"DuckLake publish: the data path {data_path} is not writable ({exc.strerror or exc}). "
            "Make it writable for this user or point ARMSFLOW_DATA_PATH at a writable shared folder. "
            "Nothing was published: the catalog and the local published file are unchanged."
        ) from None


def attach(
    con: duckdb.DuckDBPyConnection,
    uri: str,
    data_path: str | None = None,
    *,
    read_only: bool = False,
    at_snapshot: int | None = None,
    as_of: str | datetime | None = None,
) -> None:
    """ATTACH the lake as ``lake``. Data is always written as Parquet (no inlining into the catalog)."""
    options = []
    if data_path:
        options.append(f"DATA_PATH {_quote(data_path.rstrip('/') + '/')}")
    if read_only:
        options.append("READ_ONLY")
    else:
        options.append("DATA_INLINING_ROW_LIMIT 0")
    if at_snapshot is not None:
        options.append(f"SNAPSHOT_VERSION {int(at_snapshot)}")
    if as_of is not None:
        options.append(f"SNAPSHOT_TIME {_quote(str(as_of))}")
    try:
        con.execute(f"ATTACH {_quote(uri)} AS {LAKE} ({', '.join(options)})")
    except duckdb.Error as exc:
        raise LakeError(
            f"DuckLake: could not open the catalog {redact(uri)}: {_first_line(exc)}. Check that "
            "PostgreSQL is running and reachable with these settings (ARMSFLOW_WAREHOUSE; password in "
            "PGPASSWORD or ~/.pgpass), and that the snapshot asked for exists. The local published file "
            "is unchanged."
        ) from None


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:400]


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"SELECT id FROM {LAKE}.current_snapshot()").fetchone()[0]


def _copy_comments(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Carry the data dictionary (COMMENT ON TABLE/COLUMN from sql/tables) into the lake."""
    row = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = 'build' AND schema_name = 'main' AND table_name = ?",
        [table],
    ).fetchone()
    if row and row[0]:
        con.execute(f"COMMENT ON TABLE {LAKE}.main.{_ident(table)} IS {_quote(row[0])}")
    for column, comment in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'build' AND schema_name = 'main' "
        "AND table_name = ? AND comment IS NOT NULL AND comment <> ''",
        [table],
    ).fetchall():
        con.execute(f"COMMENT ON COLUMN {LAKE}.main.{_ident(table)}.{_ident(column)} IS {_quote(comment)}")


def publish_to_ducklake(
    build_path: Path | str,
    uri: str,
    data_path: str,
    run_id: str,
    releases: dict,
    tables: list[str],
    macro_files: tuple[str, ...] = ("marts/as_of.sql",),
    progress: Callable[[str], None] | None = None,
) -> int:
    """Copy ``tables`` from the checked build file into the lake as one tagged snapshot; return its id.

    The build file is opened read-only: the caller makes sure no step is writing it (the runner holds the build
    lock). ``progress`` is called after each table is written (uncommitted). Tables present in the lake's
    ``main`` schema but not in ``tables`` are dropped, so the snapshot equals the build. Raises LakeError; on
    any error the catalog keeps its previous snapshot.
    """
    check_data_path(data_path)
    con = connect_with_extensions()
    try:
        con.execute(f"ATTACH {_quote(str(build_path))} AS build (READ_ONLY)")
        attach(con, uri, data_path)
        before = current_snapshot(con)
        con.execute(f"USE {LAKE}")
        _write_snapshot(con, tables, macro_files, run_id, releases, progress)
        snapshot = current_snapshot(con)
    except duckdb.Error as exc:
        _rollback(con)
        raise _publish_error(exc, uri, data_path, locals().get("before")) from None
    finally:
        con.close()
    if snapshot == before:
        raise LakeError(f"DuckLake publish of run {run_id} committed no new snapshot (catalog still at {before}).")
    return snapshot


def _write_snapshot(
    con,
    tables: list[str],
    macro_files: tuple[str, ...],
    run_id: str,
    releases: dict,
    progress: Callable[[str], None] | None,
) -> dict:
    existing = {
        r[0]
        for r in con.execute(
            f"SELECT table_name FROM duckdb_tables() WHERE database_name = '{LAKE}' AND schema_name = 'main'"
        ).fetchall()
    }
    con.execute("BEGIN TRANSACTION")
    counts = {}
    for table in tables:
        con.execute(f"CREATE OR REPLACE TABLE {LAKE}.main.{_ident(table)} AS SELECT * FROM build.main.{_ident(table)}")
        counts[table] = con.execute(f"SELECT count(*) FROM {LAKE}.main.{_ident(table)}").fetchone()[0]
        _copy_comments(con, table)
        if progress:
            progress(f"lake: {table} {counts[table]:,} rows")
    for table in sorted(existing - set(tables)):
        con.execute(f"DROP TABLE {LAKE}.main.{_ident(table)}")
    for relative in macro_files:  # macros resolve table names at call time, in the reader's lake
        con.execute((SQL_DIR / relative).read_text(encoding="utf-8"))
    extra = json.dumps({"run_id": run_id, "releases": releases, "rows": counts}, sort_keys=True, default=str)
    con.execute(f"CALL {LAKE}.set_commit_message(?, ?, extra_info => ?)", [AUTHOR, f"armsflow run {run_id}", extra])
    con.execute("COMMIT")
    return counts


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # no transaction open, or the catalog connection is gone: PostgreSQL discards it either way


def _publish_error(exc: duckdb.Error, uri: str, data_path: str, before: int | None) -> LakeError:
    text = _first_line(exc)
    state = f"the catalog is still at snapshot {before}" if before is not None else "the catalog was not changed"
    tail = f"Nothing of this run was published: {state} and the local published file is unchanged."
    lowered = text.lower()
    if "conflict" in lowered:
        return LakeError(
            f"DuckLake publish to {redact(uri)}: another publisher committed first ({text}). {tail} "
            "Run the refresh again; it will publish on top of the other run's snapshot."
        )
    if any(
        w in lowered
        for w in (
            "permission",
            "read-only file system",
            "no space",
            "could not open file",
            "cannot open file",
            "failed to create directory",
        )
    ):
        return LakeError(
            f"DuckLake publish: writing Parquet files under {data_path} failed ({text}). {tail} "
            "Fix the data path's permissions or space (ARMSFLOW_DATA_PATH), then refresh again."
        )
    return LakeError(
        f"DuckLake publish to {redact(uri)} failed ({text}). {tail} If PostgreSQL went away, start it "
        "and refresh again; files written by the failed attempt are removed by "
        "ducklake_delete_orphaned_files."
    )


def connect_reader(
    uri: str,
    data_path: str | None = None,
    at_snapshot: int | None = None,
    as_of: str | datetime | None = None,
    writable_dirs: tuple[str, ...] = (),
) -> duckdb.DuckDBPyConnection:
    """A read-only, sandboxed connection whose default catalog is the lake (optionally at a past snapshot).

    After the ATTACH, external access is switched off except for the lake's data path (and ``writable_dirs``,
    e.g. an export folder), and the configuration is locked, so a query cannot read other files, attach other
    databases or load extensions. ``AT (VERSION => n)`` / ``AT (TIMESTAMP => ts)`` still work per table.
    """
    if at_snapshot is not None and as_of is not None:
        raise LakeError("choose one of --at-snapshot and --as-of, not both")
    con = connect_with_extensions()
    try:
        attach(con, uri, data_path, read_only=True, at_snapshot=at_snapshot, as_of=as_of)
        con.execute(f"USE {LAKE}")
        lake_path = con.execute(f"SELECT value FROM {LAKE}.options() WHERE option_name = 'data_path'").fetchone()
        allowed = [p for p in (data_path, lake_path[0] if lake_path else None, *writable_dirs) if p]
        con.execute("SET allowed_directories = ?", [[str(p).rstrip("/") + "/" for p in allowed]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        con.close()
        raise LakeError(f"DuckLake reader on {redact(uri)}: {_first_line(exc)}") from None
    except ArmsflowError:
        con.close()
        raise
    return con
