"""armsflow command line: refresh, import-sipri, query, status, check, export.

argparse (standard library) is enough for six subcommands and keeps `armsflow query` fast: the query, status
and export paths import only duckdb — never Dagster, polars or Great Expectations.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from . import dashboard, dictionary
from .config import SOURCES, load_settings
from .errors import ArmsflowError

SUMMARY_TABLES = ("deal", "delivery", "entity", "treaty_action", "membership", "nuclear_status",
                  "mart_transfer_enriched", "mart_country_year", "mart_dyad_year", "reconciliation", "quarantine")


def _read_only():
    import duckdb

    settings = load_settings()
    if not settings.published_path.exists():
        raise ArmsflowError(f"no published warehouse at {settings.published_path}: run `armsflow refresh` first "
                            "(or point ARMSFLOW_HOME at the folder that holds warehouse.duckdb)")
    return duckdb.connect(str(settings.published_path), read_only=True)


def _print_rows(columns: list[str], rows: list[tuple], fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(columns)
        w.writerows(rows)
    elif fmt == "json":
        json.dump([dict(zip(columns, r)) for r in rows], out, default=str, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        text = [[("" if v is None else str(v)) for v in r] for r in rows]
        widths = [min(max([len(c)] + [len(r[i]) for r in text]), 60) for i, c in enumerate(columns)]
        line = lambda vals: "  ".join(v[:60].ljust(w) for v, w in zip(vals, widths)).rstrip()
        out.write(line(columns) + "\n" + line(["-" * w for w in widths]) + "\n")
        for r in text:
            out.write(line(r) + "\n")
        out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def cmd_query(args) -> int:
    con = _read_only()
    try:
        cur = con.execute(args.sql)
    except Exception as exc:  # duckdb.Error: show the database's sentence, not a traceback
        raise ArmsflowError(f"query failed: {exc}") from None
    if cur.description is None:
        return 0
    _print_rows([d[0] for d in cur.description], cur.fetchall(), args.format)
    return 0


def cmd_status(args) -> int:
    con = _read_only()
    settings = load_settings()
    print(f"warehouse: {settings.published_path}")
    sources = con.execute("""
        SELECT source, any_value(source_release) AS release, max(fetched_at) AS fetched_at, count(*) AS payloads,
               sum(bytes) AS bytes, sum(rows_in) AS rows_in, sum(rows_loaded) AS rows_loaded,
               sum(rows_quarantined) AS rows_quarantined, any_value(format) AS format
        FROM load_manifest WHERE batch_id IN (SELECT max(batch_id) FROM load_manifest GROUP BY source)
        GROUP BY source ORDER BY source""")
    _print_rows([d[0] for d in sources.description], sources.fetchall(), "table")
    counts = [(t, con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in SUMMARY_TABLES]
    print()
    _print_rows(["table", "rows"], counts, "table")
    last = con.execute("""SELECT count(*) FILTER (WHERE passed), count(*) FILTER (WHERE NOT passed AND severity='error'),
                                 count(*) FILTER (WHERE NOT passed AND severity='warn'), max(checked_at)
                          FROM check_result WHERE run_id = (SELECT max(run_id) FROM check_result)""").fetchone()
    print(f"\nchecks at {last[3]}: {last[0]} passed, {last[1]} blocking failures, {last[2]} warnings")
    return 0


def _summary(summary) -> str:
    from .checks import report

    lines = [f"Published {load_settings().published_path} in {summary.seconds:.1f} s."]
    for name, meta in summary.steps.items():
        shown = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in meta.items()
                          if k not in ("unresolved", "batch_id"))
        lines.append(f"  {name:<24} {shown}")
    if summary.steps.get("entity", {}).get("unresolved"):
        lines.append("  unresolved names (rows quarantined): " + "; ".join(summary.steps["entity"]["unresolved"]))
    lines.append(report(summary.outcomes))
    return "\n".join(lines)


def cmd_refresh(args) -> int:
    from .runner import run

    settings = load_settings(live=args.live)
    chosen = set(args.source) if args.source else set(SOURCES)
    print(f"armsflow refresh: {'live' if args.live else 'recorded (offline)'} data for {', '.join(sorted(chosen))}; "
          f"home {settings.home}", file=sys.stderr)
    summary = run(settings, chosen, contracts=not args.no_contracts, accept_smaller=args.accept_smaller)
    print(_summary(summary))
    return 0


def cmd_import_sipri(args) -> int:
    from .flow import import_sipri_file
    from .runner import run

    path = Path(args.path)
    if not path.is_file():
        raise ArmsflowError(f"import-sipri: no such file {path}")
    settings = load_settings(live=False)
    summary = run(settings, set(), before=lambda: import_sipri_file(settings, path), contracts=not args.no_contracts,
                  accept_smaller=args.accept_smaller)
    print(_summary(summary))
    return 0


def cmd_check(args) -> int:
    from . import checks

    con = _read_only()
    t0 = time.perf_counter()
    outcomes = checks.run_rules(con)
    if not args.no_contracts:
        from .contracts import run_contracts
        outcomes += run_contracts(con)
    print(checks.report(outcomes, verbose=args.verbose))
    print(f"({len(outcomes)} checks in {time.perf_counter() - t0:.1f} s on {load_settings().published_path})")
    return 1 if any(o.blocking_failure for o in outcomes) else 0


def cmd_export(args) -> int:
    con = _read_only()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tables = args.table or [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
    for t in tables:
        target = out / f"{t}.{args.format}"
        opts = "(FORMAT parquet)" if args.format == "parquet" else "(HEADER, DELIMITER ',')"
        con.execute(f"COPY (SELECT * FROM {t}) TO '{target}' {opts}")
        print(target)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="armsflow", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("refresh", help="rebuild the warehouse (recorded data by default) and publish it if checks pass")
    r.add_argument("--live", action="store_true", help="fetch from the real endpoints (ARMSFLOW_*_URL)")
    r.add_argument("--source", action="append", choices=SOURCES, help="only fetch this source (repeatable)")
    r.add_argument("--no-contracts", action="store_true", help="skip the Great Expectations suites (domain rules still run)")
    r.add_argument("--accept-smaller", action="store_true",
                   help="publish even if tables shrink sharply against the published warehouse (a deliberate cut)")
    r.set_defaults(func=cmd_refresh)
    i = sub.add_parser("import-sipri", help="make a SIPRI file (legacy CSV export or saved API response) the SIPRI data")
    i.add_argument("path")
    i.add_argument("--no-contracts", action="store_true")
    i.add_argument("--accept-smaller", action="store_true", help="the file is deliberately smaller than the current data")
    i.set_defaults(func=cmd_import_sipri)
    q = sub.add_parser("query", help="run read-only SQL against the published warehouse")
    q.add_argument("sql")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.set_defaults(func=cmd_query)
    s = sub.add_parser("status", help="sources, releases, fetch times, row counts, last check results")
    s.set_defaults(func=cmd_status)
    c = sub.add_parser("check", help="run every check against the published warehouse and print a report")
    c.add_argument("--no-contracts", action="store_true")
    c.add_argument("--verbose", action="store_true", help="also list the checks that passed")
    c.set_defaults(func=cmd_check)
    e = sub.add_parser("export", help="write tables as Parquet or CSV for dashboards")
    e.add_argument("--out", default="export")
    e.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    e.add_argument("--table", action="append")
    e.set_defaults(func=cmd_export)
    for extra in (dashboard, dictionary):  # issue 11: `armsflow dashboard`, `armsflow docs`
        extra.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ArmsflowError as exc:
        print(f"armsflow: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("armsflow: interrupted; the published warehouse is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
