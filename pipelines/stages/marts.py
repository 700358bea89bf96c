"""Marts: SQL over the warehouse tables (``sql/marts``), all through the as-of macros."""
from __future__ import annotations

from ..runs import RunContext
from ..warehouse import connect, run_sql_file


def mart_step(name: str):
    def run(ctx: RunContext) -> dict:
        with connect(ctx.build_path) as con:
            run_sql_file(con, "marts/as_of.sql")
            run_sql_file(con, f"marts/{name}.sql")
            rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        return {"rows": rows}

    run.__name__ = name
    return run
