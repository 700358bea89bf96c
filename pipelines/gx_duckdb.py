"""SQLAlchemy engine arguments over an open DuckDB connection, shaped so Great Expectations' SQL path works on it.

GX 1.x has no DuckDB datasource; its generic SQL datasource runs on any SQLAlchemy dialect, so it gets
``duckdb_engine``'s. Two limits of that pairing are handled here (measured with GX 1.24.1, duckdb_engine 0.17,
SQLAlchemy 2.1, duckdb 2.0):
- A ``duckdb:///<build file>`` URL cannot be opened while the writer holds the file in this process ("Can't open a
  connection to same database file with a different configuration": duckdb_engine adds a user-agent option), so
  the engine's ``creator`` hands out a cursor of the open connection (same database, same transaction view).
- GX fetches a metric query's rows *after* returning the connection to the pool; the pool's ``rollback`` on
  return discards DuckDB's pending result and every metric fails with "list index out of range". The wrapper
  defers that rollback to the next ``begin``, by which time GX has read its rows; errors still roll back.
"""

from __future__ import annotations

import duckdb


def engine_kwargs(con: duckdb.DuckDBPyConnection) -> tuple[dict, duckdb.DuckDBPyConnection]:
    """``create_engine`` kwargs: one pooled connection (a cursor of ``con``); close the returned cursor when done."""
    import sqlalchemy as sa
    from duckdb_engine import ConnectionWrapper

    class DeferredRollback(ConnectionWrapper):
        def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
            super().__init__(cursor)
            self.duck, self.pending_rollback = cursor, False

        def rollback(self) -> None:
            self.pending_rollback = True

        def begin(self) -> None:
            if self.pending_rollback:
                self.pending_rollback = False
                try:
                    self.duck.rollback()
                except duckdb.TransactionException:  # nothing was open
                    pass
            self.duck.begin()

        def close(self) -> None:
            pass  # the cursor lives as long as the engine; the caller closes it

    cursor = con.cursor()
    return {"creator": lambda: DeferredRollback(cursor), "poolclass": sa.pool.StaticPool}, cursor
