"""Readers of the published warehouse: a sandboxed read-only connection and plain-text output.

Imports only duckdb, so ``query`` and ``status`` start fast. The sandbox opens the file read-only with external
access off (no COPY TO, no ATTACH, no reading other files, no extension loading) and the configuration locked,
so no SQL a user types can write anywhere.
"""

from __future__ import annotations

import csv
import json
import sys

import duckdb

from .config import Settings
from .errors import ArmsflowError

SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}
MAX_WIDTH = 60


def open_published(
    settings: Settings,
    sandbox: bool = True,
    at_snapshot: int | None = None,
    as_of: str | None = None,
    writable_dirs: tuple = (),
) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only: the local file, or the team's DuckLake catalog when configured."""
    if settings.target.is_ducklake:
        from .targets.ducklake import connect_reader

        return connect_reader(
            settings.target.uri,
            settings.target.data_path,
            at_snapshot=at_snapshot,
            as_of=as_of,
            writable_dirs=tuple(str(d) for d in writable_dirs),
        )
    if at_snapshot is not None or as_of is not None:
        raise ArmsflowError(
            "--at-snapshot and --as-of read earlier snapshots of a team warehouse (DuckLake): set "
            "ARMSFLOW_WAREHOUSE and ARMSFLOW_DATA_PATH; the local file keeps only the latest state"
        )
    if not settings.published_path.exists():
        raise ArmsflowError(
            f"no published warehouse at {settings.published_path}: run `armsflow refresh` first "
            "(or point ARMSFLOW_HOME at the folder that holds warehouse.duckdb)"
        )
    return duckdb.connect(str(settings.published_path), read_only=True, config=SANDBOX if sandbox else {})


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]] | None:
    if not sql or not sql.strip().strip(";").strip():
        raise ArmsflowError(
            'query: the SQL is empty; give a statement, e.g. armsflow query "SELECT * FROM deal LIMIT 5"'
        )
    try:
        cur = con.execute(sql)
    except duckdb.PermissionException as exc:
        raise ArmsflowError(
            f"query refused: {str(exc).splitlines()[0]}. `query` is read-only and cannot write "
            "files or attach databases; use `armsflow export` to write files"
        ) from None
    except duckdb.Error as exc:
        raise ArmsflowError(f"query failed: {str(exc).splitlines()[0]}") from None
    if cur.description is None:
        return None
    return [d[0] for d in cur.description], cur.fetchall()


def print_rows(columns: list[str], rows: list[tuple], fmt: str, out=None, max_width: int = MAX_WIDTH) -> None:
    out = out or sys.stdout
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(columns)
        w.writerows(rows)
    elif fmt == "json":
        json.dump([dict(zip(columns, r, strict=True)) for r in rows], out, default=str, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        text = [[("" if v is None else str(v)) for v in r] for r in rows]
        widths = [min(max([len(c)] + [len(r[i]) for r in text]), max_width) for i, c in enumerate(columns)]

        def line(vals):
            return "  ".join(_cut(v, w).ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()

        out.write(line(columns) + "\n" + line(["-" * w for w in widths]) + "\n")
        for r in text:
            out.write(line(r) + "\n")
        out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"
