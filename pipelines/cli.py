"""armsflow command line: refresh, imports (SIPRI register, TIV tables, alliances), query, status, check, export.

argparse (standard library) is enough for these subcommands and keeps `armsflow query` fast: the query, status
and export paths import only duckdb, never Dagster, polars or Great Expectations. Settings are read once here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

from . import dashboard, dictionary
from .config import SOURCES, Settings, load_settings
from .errors import ArmsflowError
from .readers import open_published, print_rows, run_query
from .status import print_coverage, print_status, run_summary


def cmd_status(args, settings: Settings) -> int:
    return print_status(settings)


def cmd_query(args, settings: Settings) -> int:
    with open_published(settings, at_snapshot=args.at_snapshot, as_of=args.as_of) as con:
        result = run_query(con, args.sql)
    if result:
        print_rows(*result, args.format)
    return 0


def _run(args, settings: Settings, command: str, choose, notes: list[str]) -> int:
    worker = None
    if not args.no_contracts and getattr(args, "force", True):  # a run that cannot be a no-op: start GX now
        from .contract_worker import ContractWorker

        worker = ContractWorker()  # imports GX on the other core while this process imports the pipeline
    try:
        from .runner import run
    except BaseException:
        if worker is not None:
            worker.close()
        raise

    summary = run(
        settings,
        command,
        choose,
        contracts=not args.no_contracts,
        accept_smaller=args.accept_smaller,
        wait=args.wait,
        force=getattr(args, "force", True),
        rebuild=getattr(args, "force", False),
        worker=worker,
        lean=True,  # a run hands DuckDB no pandas object: do not let DuckDB import pandas (pipelines/lean.py)
    )
    if summary.noop:
        from .noop import NOOP_MESSAGE

        message = NOOP_MESSAGE.format(path=settings.published_path, seconds=summary.seconds)
        print("\n".join([message, *(f"  note: {n}" for n in notes)]))
        return 0
    print(run_summary(summary, settings, notes))
    return 0


def cmd_refresh(args, settings: Settings) -> int:
    from .holdings import choose_loads

    if getattr(args, "release", None):
        return cmd_select_release(args, settings)

    chosen = set(args.source or SOURCES)
    mode = "live" if args.live else ("recorded, replayed on request" if args.replay else "offline")
    print(f"armsflow refresh ({mode}) for {', '.join(sorted(chosen))}; home {settings.home}", file=sys.stderr)
    notes: list[str] = []
    command = (
        "refresh"
        + (" --live" if args.live else "")
        + (" --replay" if args.replay else "")
        + "".join(f" --source {s}" for s in sorted(args.source or []))
    )
    return _run(args, settings, command, choose_loads(chosen, args.live, args.replay, notes=notes), notes)


def _import(args, settings: Settings, source: str, command: str) -> int:
    from .holdings import choose_loads

    path = Path(args.path).expanduser()
    if path.is_dir():
        raise ArmsflowError(f"{command}: {path} is a directory; give the path of the exported file inside it")
    if not path.is_file():
        raise ArmsflowError(f"{command}: no such file {path}")
    return _run(args, settings, f"{command} {path.name}", choose_loads(set(), files={source: path.resolve()}), [])


def cmd_import_sipri(args, settings: Settings) -> int:
    return _import(args, settings, "sipri", "import-sipri")


def cmd_import_sipri_tiv(args, settings: Settings) -> int:
    return _import(args, settings, "sipri_tiv", "import-sipri-tiv")


def cmd_import_alliances(args, settings: Settings) -> int:
    """ATOP (member and alliance CSVs, or the release zip) and/or COW Formal Alliances (by-member CSV) files."""
    from .alliance_load import detect
    from .holdings import choose_loads

    files: dict[str, list[Path]] = {}
    for raw in args.paths:
        path = Path(raw).expanduser()
        if not path.is_file():
            raise ArmsflowError(
                f"import-alliances: no such file {path}"
                + (" (a directory: give the files inside it)" if path.is_dir() else "")
            )
        try:
            files.setdefault(detect(path.name, path.read_bytes()[:4000]), []).append(path.resolve())
        except ValueError as exc:
            raise ArmsflowError(f"import-alliances: {exc}") from None
    names = " ".join(p.name for ps in files.values() for p in ps)
    return _run(args, settings, f"import-alliances {names}", choose_loads(set(), files=files), [])


def cmd_check(args, settings: Settings) -> int:
    from . import checks

    t0 = time.perf_counter()
    with open_published(settings, sandbox=False) as con:
        outcomes = checks.run_rules(con)
        if not args.no_contracts:
            from .contracts import run_contracts

            outcomes += run_contracts(con)
    print(checks.report(outcomes, verbose=args.verbose))
    print()
    with open_published(settings) as con:
        print_coverage(con)
    print(f"({len(outcomes)} checks in {time.perf_counter() - t0:.1f} s on {settings.published_path})")
    return 1 if any(o.blocking_failure for o in outcomes) else 0


def cmd_export(args, settings: Settings) -> int:
    out = Path(args.out).expanduser() if args.out else settings.home / "export"
    with open_published(settings, sandbox=False, writable_dirs=(out,)) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        unknown = [t for t in args.table or [] if t not in tables]
        if unknown:
            raise ArmsflowError(
                f"export: no table named {', '.join(map(repr, unknown))}; tables are: {', '.join(tables)}"
            )
        out.mkdir(parents=True, exist_ok=True)
        for t in args.table or tables:
            target = str(out / f"{t}.{args.format}").replace("'", "''")
            opts = "(FORMAT parquet)" if args.format == "parquet" else "(HEADER, DELIMITER ',')"
            con.execute(f"COPY (SELECT * FROM \"{t}\") TO '{target}' {opts}")
            print(out / f"{t}.{args.format}")
    return 0


def cmd_select_release(args, settings: Settings) -> int:
    """Make a kept older (or newer) release of a source current again; deals and marts follow."""
    from .release_select import choose_release

    source = (args.source or ["sipri"])[0] if isinstance(args.source, list) else args.source or "sipri"
    command = f"refresh --release {args.release} --source {source}"
    return _run(args, settings, command, choose_release(source, args.release), [])


def cmd_diff(args, settings: Settings) -> int:
    """Deals added, removed and changed between two kept releases of a source (pipelines/diff.py)."""
    from .diff_report import diff_releases, render

    with open_published(settings) as con:
        old, new, diff = diff_releases(con, args.source, args.old, args.new)
        labels = dict(con.execute("SELECT release_id, release_label FROM data_release").fetchall())
    render(diff, old, new, labels, args.format)
    return 0


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("armsflow")
    except PackageNotFoundError:
        return "unknown"


class _Version(argparse.Action):
    """``--version``, looked up only when asked: the parser was built with the version in it, so every command (an
    ``armsflow query`` too) paid the package metadata lookup, 3-8 ms."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"armsflow {_package_version()}")
        parser.exit()


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-contracts", action="store_true", help="skip the Great Expectations suites (the domain rules still run)"
    )
    p.add_argument(
        "--accept-smaller",
        action="store_true",
        help="publish even if tables shrink sharply against the published warehouse (a deliberate cut)",
    )
    p.add_argument(
        "--wait", action="store_true", help="if another run is writing to this home, queue behind it instead of failing"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="armsflow", description=__doc__.splitlines()[0])
    p.add_argument("--version", action=_Version, help="show the package version and exit")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("refresh", help="rebuild the warehouse and publish it if every blocking check passes")
    r.add_argument("--live", action="store_true", help="fetch from the real endpoints (ARMSFLOW_*_URL)")
    r.add_argument(
        "--source",
        action="append",
        choices=SOURCES,
        help="only give new data to this source (repeatable); the others keep their current data",
    )
    r.add_argument(
        "--replay",
        action="store_true",
        help="load the bundled recordings for the chosen sources even over imported or live data",
    )
    r.add_argument(
        "--force", action="store_true", help="rebuild every table even when nothing changed (no new data, same code)"
    )
    r.add_argument("--release", help="make this kept release current (id, id prefix or label word; see `status`)")
    _run_options(r)
    r.set_defaults(func=cmd_refresh)
    i = sub.add_parser(
        "import-sipri", help="make a SIPRI file (legacy CSV export or saved API response) the SIPRI data"
    )
    i.add_argument("path", help="a legacy CSV export (cp1252 or UTF-8) or a saved trade-register API response (JSON)")
    _run_options(i)
    i.set_defaults(func=cmd_import_sipri)
    t = sub.add_parser("import-sipri-tiv", help="make a SIPRI TIV table (CSV download) the per-year TIV table")
    t.add_argument("path", help="a SIPRI TIV table as downloaded (exports by supplier or imports by recipient, CSV)")
    _run_options(t)
    t.set_defaults(func=cmd_import_sipri_tiv)
    a = sub.add_parser("import-alliances", help="make ATOP and/or COW Formal Alliances files the alliance data")
    a.add_argument(
        "paths",
        nargs="+",
        help="ATOP member/alliance CSVs (4.x or 5.x) or the ATOP zip as downloaded, "
        "and/or COW's alliance_v4.1_by_member.csv",
    )
    _run_options(a)
    a.set_defaults(func=cmd_import_alliances)
    q = sub.add_parser("query", help="run read-only SQL against the published warehouse (cannot write anything)")
    q.add_argument("sql", help='one SQL statement, e.g. "SELECT * FROM deal LIMIT 5"')
    q.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    q.add_argument("--at-snapshot", type=int, help="team warehouse (DuckLake): read snapshot N (see `status`)")
    q.add_argument("--as-of", help="team warehouse (DuckLake): read the state published at this time, e.g. 2026-05-01")
    q.set_defaults(func=cmd_query)
    s = sub.add_parser("status", help="sources (recording, live or import), releases, row counts, checks, last runs")
    s.set_defaults(func=cmd_status)
    c = sub.add_parser("check", help="run every check against the published warehouse and print a report")
    c.add_argument("--no-contracts", action="store_true", help="only the domain rules")
    c.add_argument("--verbose", action="store_true", help="also list the checks that passed")
    c.set_defaults(func=cmd_check)
    e = sub.add_parser("export", help="write tables as Parquet or CSV for dashboards")
    e.add_argument("--out", help="folder to write into (default: $ARMSFLOW_HOME/export)")
    e.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="file format")
    e.add_argument("--table", action="append", help="only this table (repeatable; default: every table)")
    e.set_defaults(func=cmd_export)
    for extra in (dashboard, dictionary):  # `dashboard` (Streamlit) and `docs` (the data dictionary)
        extra.add_parser(sub)
    d = sub.add_parser("diff", help="deals added, removed and changed between two kept SIPRI releases, and renames")
    d.add_argument("old", nargs="?", help="FROM release: id, unique id prefix or label word (default: second newest)")
    d.add_argument("new", nargs="?", help="TO release (default: the newest)")
    d.add_argument("--source", choices=("sipri",), default="sipri", help="the source whose releases to compare")
    d.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    d.set_defaults(func=cmd_diff)
    return p


RUN_COMMANDS = {cmd_refresh, cmd_import_sipri, cmd_import_sipri_tiv, cmd_import_alliances}
# Commands whose process leaves without the interpreter's teardown (``_leave``): the runs, and the reads a person or
# a script waits on (an ``armsflow query`` on the 100x warehouse: about 15-20 ms of its 175, the teardown of DuckDB's
# and our modules, more than the query's own overhead over a bare Python read).
QUICK_EXIT = RUN_COMMANDS | {cmd_query, cmd_status, cmd_diff}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code = _main(args)
    if argv is None and args.func in QUICK_EXIT:  # the program itself (not a caller in Python): leave at once
        _leave(code)
    return code


def _leave(code: int) -> NoReturn:
    """End a run's or a read's process without the interpreter's teardown, which frees every module and the memory
    DuckDB, polars and Arrow hold one object at a time (0.1-0.2 s of a 2 s import here). Nothing is left to tidy by
    then: a run has closed its build and its contract worker, removed its files and released the lock, a read has
    closed its connection (all in ``finally`` blocks or ``with``); only the output streams need flushing."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _main(args) -> int:
    try:
        return args.func(args, load_settings())
    except ArmsflowError as exc:
        print(f"armsflow: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("armsflow: interrupted; the published warehouse is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`armsflow query ... | head`): say nothing, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last resort: one paragraph, the traceback only on request
        if args.debug:
            raise
        from .runner import as_disk_error

        converted = as_disk_error(exc, load_settings())
        text = (
            str(converted)
            if converted is not exc
            else (
                f"unexpected error: {type(exc).__name__}: {exc}. The published warehouse was not changed. "
                "Run the command again with --debug for the traceback and report it."
            )
        )
        print(f"armsflow: {text}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
