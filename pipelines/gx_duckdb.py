"""SQLAlchemy engine arguments over an open DuckDB connection, shaped so Great Expectations' SQL path works on it.

GX 1.x has no DuckDB datasource; its generic SQL datasource runs on any SQLAlchemy dialect, so it gets
``duckdb_engine``'s. Limits of that pairing handled here (measured with GX 1.24.1, duckdb_engine 0.17,
SQLAlchemy 2.1, DuckDB 1.5):
- A ``duckdb:///<build file>`` URL cannot be opened while the writer holds the file in this process ("Can't open a
  connection to same database file with a different configuration": duckdb_engine adds a user-agent option), so
  the engine's ``creator`` hands out a cursor of the open connection (same database; it sees what is committed).
- GX fetches a metric query's rows *after* returning the connection to the pool; the pool's ``rollback`` on
  return discards DuckDB's pending result and every metric fails with "list index out of range". GX only reads,
  so the wrapper opens no transactions at all: each query runs in DuckDB's autocommit mode, and the pool's
  ``begin``/``commit``/``rollback`` do nothing (a rollback per query, deferred to the next ``begin``, cost 1-3 ms
  of wall time each on the build file, some 80 per run). A failed query ends its own implicit transaction.
- For each table it validates, GX reflects the columns and primary key (``table.column_types``) through
  SQLAlchemy's inspector, which on duckdb_engine runs PostgreSQL catalog queries. On DuckDB 1.5 both fail (no
  ``regclass`` type, no ``pg_catalog.pg_collation``), GX catches the error and reads the column names from
  ``SELECT * ... LIMIT 1``, and the failing queries were about a fifth of a validation's time, table after table.
  ``Dialect`` (URL ``URL``) is duckdb_engine's, except that once a kind of reflection has failed with a catalog
  error (ProgrammingError) it raises that error again at once instead of re-running the query: GX gets the same
  exception and takes the same fallback. Where the reflection works (another DuckDB or duckdb_engine), nothing
  changes.
"""

from __future__ import annotations

import duckdb
import sqlalchemy as sa
from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy.dialects import registry

URL = "duckdb+armsflow:///:memory:"


class Dialect(DuckDBDialect):
    """duckdb_engine's dialect; a reflection the database refused once is refused again without a query."""

    supports_statement_cache = False  # as duckdb_engine (SQLAlchemy asks each subclass to say so itself)
    # Per process: the failures come from DuckDB's catalog, not from a table. Only ProgrammingError (what the missing
    # catalog objects raise): a missing table (NoSuchTableError) or a lost connection is asked again next time.
    refused: dict[str, sa.exc.ProgrammingError] = {}

    def _reflect(self, what: str, *args, **kw):
        if what in Dialect.refused:
            raise Dialect.refused[what].with_traceback(None)
        try:
            return getattr(super(), what)(*args, **kw)
        except sa.exc.ProgrammingError as exc:
            Dialect.refused[what] = exc
            raise

    def get_columns(self, connection, table_name, schema=None, **kw):
        return self._reflect("get_columns", connection, table_name, schema, **kw)

    def get_pk_constraint(self, connection, table_name, schema=None, **kw):
        return self._reflect("get_pk_constraint", connection, table_name, schema, **kw)


registry.register("duckdb.armsflow", __name__, "Dialect")


def engine_kwargs(con: duckdb.DuckDBPyConnection) -> tuple[dict, duckdb.DuckDBPyConnection]:
    """``create_engine`` kwargs: one pooled connection (a cursor of ``con``); close the returned cursor when done."""
    from duckdb_engine import ConnectionWrapper

    class Autocommit(ConnectionWrapper):
        def begin(self) -> None:
            pass  # no transaction: each query autocommits (see above)

        def commit(self) -> None:
            pass

        def rollback(self) -> None:
            pass

        def close(self) -> None:
            pass  # the cursor lives as long as the engine; the caller closes it

    cursor = con.cursor()
    return {"creator": lambda: Autocommit(cursor), "poolclass": sa.pool.StaticPool}, cursor
