"""DuckDB helpers for the run's private build file: connect, (re)create tables from their DDL, load frames.

Only the run that holds the run lock writes, and only into its own build file (``runs.RunContext``), so no
file-level lock is needed here. Readers never open a build file.

The CLI runner holds the build open for the whole run (``held``): every ``connect`` to it in this process is then
a cursor on that one database instead of a fresh open, and closing the cursor neither checkpoints nor fsyncs the
file (opening and closing the build around each step and each bookkeeping query cost about 1 s per import).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb

from .config import SQL_DIR

if TYPE_CHECKING:  # imported where used: a no-op refresh reaches this module but never loads polars (0.15 s)
    import polars as pl

MEMORY_LIMIT = "2GB"  # DuckDB spills past this (temp files beside the build), so peak RSS stays bounded at any size


_HELD: dict[str, duckdb.DuckDBPyConnection] = {}  # build files held open by this process (``held``)
_CURSOR_LOCK = threading.Lock()
_THREADS: dict[str, int] = {}  # a held file's DuckDB thread count, when ``fit_threads`` lowered it

# DuckDB splits a table scan into row groups of 122,880 rows; below two of them a second thread has nothing to
# scan in parallel and only adds hand-offs. Measured on the real register (29,515 deals, about 60,000 rows in the
# largest table): 2.5 CPU-s with one thread against 3.5-3.8 CPU-s with two, the same wall time on a quiet machine,
# and the second core left to the contract worker (or to the other test worker).
ONE_THREAD_BELOW_ROWS = 2 * 122_880


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The run's build file, with DuckDB's memory capped (its default, 80% of RAM, lets a big register grow RSS
    freely). While the file is ``held``, a cursor on the held database (closing it leaves the database open)."""
    root = _HELD.get(str(path))
    if root is not None:
        with _CURSOR_LOCK:  # steps may run side by side (runner.run_steps); a connection is not thread-safe
            return root.cursor()
    return _open(str(path))


def _open(key: str) -> duckdb.DuckDBPyConnection:
    """A build file opened for writing: DuckDB's memory capped, FSST string compression off, ``fit_threads``'s
    thread count kept across ``released``.

    FSST is most of the CPU of DuckDB's checkpoints here (copying a bundled warehouse: 1.16 s with it, 0.61 s
    without) and saves little on these columns (dictionary compression still applies). Measured per import: the
    real register 2.79 -> 2.61 CPU-s, a 10x register 13.8 -> 12.5 CPU-s, a 100x API register 94.0 -> 86.6 s
    (148 -> 134 CPU-s); the warehouse file grows about 15% (36.7 -> 42.2 MB after importing the real register).
    Older segments keep their FSST; reads handle both.

    Checkpoint vacuum is off (``max_vacuum_tasks = 0``): DuckDB merges adjacent partial row groups when it
    checkpoints, and each release appends its deal versions as row groups of their own, so every run's close
    rewrote ``deal_version`` (and the run after rewrote it again) though the run only appended to it: 0.77 s and
    1.1 CPU-s of a close at 10x the register. A 10x legacy import went 7.37 -> 6.28 s (9.2 instead of 11.2 CPU-s;
    medians of 4 interleaved pairs); the real export 2.04 -> 1.97 s. What vacuum would reclaim here is small: only
    bookkeeping tables and quarantine delete rows (the register-sized tables are rebuilt whole or appended to),
    whose deleted rows stay behind as tombstones (a few rows per run: negligible next to the register)."""
    con = duckdb.connect(key, config={"memory_limit": MEMORY_LIMIT})
    con.execute("SET disabled_compression_methods = 'fsst'")
    con.execute("SET max_vacuum_tasks = 0")
    if key in _THREADS:
        con.execute(f"SET threads = {_THREADS[key]}")
    attach_staging(con)
    return con


def attach_staging(con: duckdb.DuckDBPyConnection) -> None:
    """The run's staging tables live in an in-memory database attached as ``staging`` (so ``staging.sipri_trade``
    names them), shared by every cursor of the held build and gone when it closes: staging is the run's working
    copy of the raw payloads, which are kept as received; it is never written to the build file nor published.

    Writing the parsed register into the file was the costliest single statement of an import (a 10x legacy register:
    1.07 s against 0.58 s in memory, medians of 3), for a table only the run's own steps read. A later run that needs
    a source's staging and did not load it stages the kept payloads again (``stages.staging.ensure_staged``); its
    reuse decisions use the digests remembered when they were staged (``reuse``, table ``staged_digest``), so that
    happens only for a step that rebuilds. DuckDB spills the in-memory tables under the same memory cap (at 100x the
    register they do not fit). A build copied from a warehouse written by earlier armsflow (a ``staging`` schema in
    the file) loses that schema first: a schema and a database of one name are ambiguous to DuckDB."""
    database = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f'DROP SCHEMA IF EXISTS "{database}".staging CASCADE')
    con.execute("ATTACH IF NOT EXISTS ':memory:' AS staging")


@contextlib.contextmanager
def held(path: Path) -> Iterator[None]:
    """Keep ``path`` open until the block ends (then DuckDB checkpoints it once and closes it); use ``connect``
    inside. Another process cannot open the file meanwhile: ``released`` closes it for a while."""
    key = str(path)
    if key in _HELD:
        yield
        return
    _HELD[key] = _open(key)
    try:
        yield
    finally:
        current = _HELD.pop(key, None)  # ``released`` may have reopened it meanwhile
        _THREADS.pop(key, None)
        if current is not None:
            current.close()


def _run_rows(path: Path, incoming_rows: int) -> int:
    """The larger of the held file's largest table and this run's new rows."""
    largest = _HELD[str(path)].execute("SELECT coalesce(max(estimated_size), 0) FROM duckdb_tables()").fetchone()[0]
    return max(largest, incoming_rows)


def fit_threads(path: Path, incoming_rows: int) -> int | None:
    """One DuckDB thread for the held file while its largest table and this run's new rows stay under two row groups
    (``ONE_THREAD_BELOW_ROWS``); returns the thread count set, or None (DuckDB's default: one per core)."""
    if _run_rows(path, incoming_rows) >= ONE_THREAD_BELOW_ROWS:
        return None
    key = str(path)
    _HELD[key].execute("SET threads = 1")
    _THREADS[key] = 1
    return 1


# Two independent steps run side by side (``runner.run_steps``) while the largest table and the run's new rows stay
# under this; above it, one at a time. On a small build each statement has one DuckDB thread (``fit_threads``), so a
# step keeps one core busy; on a mid-sized one a statement has both cores but leaves them idle part of the time
# (single-threaded phases, commits), which the other step fills: a 10x legacy import 6.55 -> 6.06 s (medians of 6
# interleaved), 10x API peak RSS 0.86 GB. At 100x the register two at once still gained time (legacy 42.8 -> 39.4 s)
# but two large statements under the one memory cap took the API import's peak RSS to 3.19 GB (2.89 GB one at a
# time), over the 3 GB it must stay under; so the line sits between 10x (0.58 million rows at most) and 100x (2.95
# million deals, 5.8 million API rows).
TWO_STEPS_BELOW_ROWS = 2_000_000


def steps_at_once(path: Path, incoming_rows: int) -> int:
    """How many independent steps a run over the held file runs side by side (``TWO_STEPS_BELOW_ROWS``)."""
    return 2 if _run_rows(path, incoming_rows) < TWO_STEPS_BELOW_ROWS else 1


@contextlib.contextmanager
def released(path: Path) -> Iterator[None]:
    """Close a held file for the block (checkpointed, so another process can open it), then hold it again."""
    key = str(path)
    con = _HELD.pop(key, None)
    if con is None:
        yield
        return
    con.close()
    try:
        yield
    finally:
        _HELD[key] = _open(key)


T = TypeVar("T")


def beside(
    con: duckdb.DuckDBPyConnection, other: Callable[[duckdb.DuckDBPyConnection], T], work: Callable[[], object]
) -> T:
    """Run ``work()`` on ``con`` while ``other(cursor)`` runs on a second cursor of the same database, in a thread;
    returns what ``other`` returned. The cursor sees committed tables only (not ``con``'s TEMP objects); ``other``'s
    error is raised once both have ended (``work``'s instead, if both failed)."""
    from concurrent.futures import ThreadPoolExecutor

    with con.cursor() as cursor, ThreadPoolExecutor(max_workers=1, thread_name_prefix="beside") as pool:
        future = pool.submit(other, cursor)
        try:
            work()
        except BaseException:
            future.exception()  # waits for the other: nothing runs on the cursor once it closes
            raise
        return future.result()


_IN_TRANSACTION: set[int] = set()  # id() of connections inside ``transaction`` (so it nests)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a group of writes (a DDL file's CREATE and COMMENT statements, a delete and its insert, many rows) as
    one transaction: one commit, so one WAL fsync instead of one per statement (about 450 per import before);
    all or nothing as before. Nested use joins the outer transaction."""
    key = id(con)
    if key in _IN_TRANSACTION:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _IN_TRANSACTION.add(key)
    try:
        yield con
    except BaseException:
        _IN_TRANSACTION.discard(key)
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    _IN_TRANSACTION.discard(key)
    con.execute("COMMIT")


def sql_text(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def ensure_tables(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Create accumulating tables (manifest, quarantine, check results) if this build file lacks them.

    A ``CREATE TABLE IF NOT EXISTS`` file is skipped when the table exists: its comments would otherwise be
    rewritten on every call (a catalog write each time; steps call this often)."""
    for table in tables:
        ddl = sql_text(f"tables/{table}.sql")
        if "CREATE TABLE IF NOT EXISTS" in ddl and table_exists(con, table):
            continue
        with transaction(con):
            con.execute(ddl)


def table_exists(con: duckdb.DuckDBPyConnection, table: str, schema: str = "main") -> bool:
    """A table (not a view) of that name in the connection's database. Looked up by name (``con.table``, well under
    0.1 ms) rather than queried from ``duckdb_tables()`` (about 1.4 ms: it renders every table's DDL), since a run
    asks about 100 times. A missing name is a catalog error at bind time, which leaves an open transaction usable."""
    try:
        con.table(f'"{schema}"."{table}"')
    except duckdb.CatalogException:
        return False
    return True


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Recreate a table from its DDL and load the frame by column name: idempotent, typed, constrained."""
    with transaction(con):
        con.execute(sql_text(f"tables/{table}.sql"))
        return insert(con, table, frame)


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Insert by column name; frame columns the table does not declare (helpers like raw_text) are left out."""
    declared = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
            "AND database_name = current_database()",
            [table],
        ).fetchall()
    }
    columns = [c for c in frame.columns if c in declared]
    if frame.height:
        append_frame(con, table, frame.select(columns), by_name=True)
    return frame.height


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, where: dict[str, str], frame: pl.DataFrame) -> int:
    """Replace one slice (e.g. one source's quarantine rows) of an accumulating table."""
    ensure_tables(con, table)
    clause = " AND ".join(f"{k} = ?" for k in where)
    with transaction(con):
        con.execute(f"DELETE FROM {table} WHERE {clause}", list(where.values()))
        return insert(con, table, frame)


def run_sql_file(con: duckdb.DuckDBPyConnection, relative: str) -> None:
    with transaction(con):
        con.execute(sql_text(relative))


def table_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return frame_of(con.sql(sql, params=params))


class _ArrowStream:
    """A polars frame as DuckDB sees it through the Arrow C stream interface only (``__arrow_c_stream__``): handed
    the frame itself, DuckDB converts it with ``to_arrow()``, which needs pyarrow (``pipelines.lean``)."""

    __slots__ = ("frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema=None):
        return self.frame.__arrow_c_stream__(requested_schema)


def scan_frame(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, sql: str) -> None:
    """Run one statement that reads all of a polars frame, named ``{frame}`` in ``sql`` (an INSERT or CREATE ... AS
    SELECT from it, casts allowed, no filter or join: see ``register_frame``), without pyarrow."""
    stream = f"_frame_stream_{id(frame)}"
    con.register(stream, _ArrowStream(frame))
    try:
        con.execute(sql.replace("{frame}", stream))
    finally:
        con.unregister(stream)


def register_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """A polars frame as the TEMP table ``name`` of this connection (``drop_frame`` after), copied without pyarrow.

    DuckDB scans the frame's Arrow stream once, whole, into the table: queried directly, a registered stream gets
    the query's filters pushed into pyarrow whenever pyarrow is loaded, whose kernels do not take the ``string_view``
    arrays polars hands over ("Function 'is_in' has no kernel matching input types (string_view)")."""
    scan_frame(con, frame, f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {{frame}}")


def append_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, by_name: bool = False) -> None:
    """Insert a polars frame's rows into ``table`` (by column name with ``by_name``), without pyarrow."""
    scan_frame(con, frame, f"INSERT INTO {table} {'BY NAME ' if by_name else ''}SELECT * FROM {{frame}}")


def drop_frame(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop what ``register_frame`` made."""
    con.execute(f"DROP TABLE IF EXISTS {name}")


def frame_of(relation: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """A DuckDB result as a polars frame, read through the Arrow C stream interface (no pyarrow, unlike ``.pl()``)."""
    import polars as pl

    return pl.DataFrame(relation)
