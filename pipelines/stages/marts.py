"""Marts: SQL over the warehouse tables (``sql/marts``), all through the as-of macros."""

from __future__ import annotations

import threading

from ..runs import RunContext
from ..warehouse import connect, run_sql_file

# The marts share the as-of and pledge macros, and each (re)creates them: two marts running side by side
# (runner.run_steps) would both replace the same catalog entries, which DuckDB refuses as a write-write conflict.
_MACROS = threading.Lock()

ALLIANCE_MARTS = {"mart_transfer_enriched", "mart_dyad_year"}  # they carry ATOP/COW pledge flags


def mart_step(name: str):
    def run(ctx: RunContext) -> dict:
        with connect(ctx.build_path) as con:
            with _MACROS:
                run_sql_file(con, "marts/as_of.sql")
                if name in ALLIANCE_MARTS:
                    run_sql_file(con, "marts/alliance_pledges.sql")
            run_sql_file(con, f"marts/{name}.sql")
            rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        return {"rows": rows}

    run.__name__ = name
    return run
