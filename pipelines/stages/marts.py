"""Marts: SQL over the warehouse tables (``sql/marts``), all through the as-of macros."""

from __future__ import annotations

import threading

from ..runs import RunContext
from ..warehouse import connect, run_sql_file

# The marts share the as-of and pledge macros, (re)created once per build by the first mart that needs them: two
# marts running side by side (runner.run_steps) would both replace the same catalog entries, which DuckDB refuses as
# a write-write conflict, and a second replacement while another step's transaction is open waited for it (about
# 0.2 s of the real register's import).
_MACROS = threading.Lock()  # the run remembers which it made (RunContext.macros)

ALLIANCE_MARTS = {"mart_transfer_enriched", "mart_dyad_year"}  # they carry ATOP/COW pledge flags


def mart_step(name: str):
    def run(ctx: RunContext) -> dict:
        with connect(ctx.build_path) as con:
            with _MACROS:
                for macros in ["as_of", *(["alliance_pledges"] if name in ALLIANCE_MARTS else [])]:
                    if macros not in ctx.macros:
                        run_sql_file(con, f"marts/{macros}.sql")
                        ctx.macros.add(macros)
            run_sql_file(con, f"marts/{name}.sql")
            rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        return {"rows": rows}

    run.__name__ = name
    return run
