"""What `armsflow status` and a run's closing summary print: sources, coverage, counts, checks, last runs.

Plain text from the published warehouse (read-only) and the run log; imports only duckdb.
"""

from __future__ import annotations

from .checks import LATEST_CHECKED_RUN
from .config import Settings
from .readers import open_published, print_rows

SUMMARY_TABLES = (
    "deal",
    "delivery",
    "entity",
    "treaty_action",
    "membership",
    "nuclear_status",
    "mart_transfer_enriched",
    "mart_country_year",
    "mart_dyad_year",
    "reconciliation",
    "quarantine",
)
ORIGIN = {"recording": "bundled recording (replayed)", "live": "live pull", "import": "imported file"}


def print_status(settings: Settings) -> int:
    from .runs import read_run_log

    with open_published(settings, sandbox=False) as con:
        print(f"warehouse: {settings.published_path}\n")
        sources = con.execute("""
            SELECT source, any_value(origin) AS origin, any_value(source_release) AS release,
                   max(fetched_at) AS loaded_at,
                   count(*) AS payloads, sum(rows_in) AS rows_in, sum(rows_loaded) AS rows_loaded,
                   sum(rows_quarantined) AS rows_quarantined
            FROM load_manifest WHERE batch_id IN (SELECT max(batch_id) FROM load_manifest GROUP BY source)
            GROUP BY source ORDER BY source""").fetchall()
        for s, origin, release, loaded_at, payloads, rows_in, loaded, quarantined in sources:
            when = loaded_at.astimezone().strftime("%Y-%m-%d %H:%M %Z") if loaded_at else "?"
            print(
                f"{s}: {ORIGIN.get(origin, origin)}, {payloads} payload(s), loaded {when}\n"
                f"    release: {release or 'not stated'}\n"
                f"    rows: {rows_in or 0:,} in, {loaded or 0:,} loaded, {quarantined or 0:,} quarantined"
            )
        print()
        from .release_status import print_releases

        print_releases(con)
        print()
        print_coverage(con)
        counts = [(t, con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in SUMMARY_TABLES]
        print()
        print_rows(["table", "rows"], counts, "table")
        passed, errors, warns = con.execute(
            "SELECT count(*) FILTER (WHERE passed), count(*) FILTER (WHERE NOT passed AND severity = 'error'), "
            "count(*) FILTER (WHERE NOT passed AND severity = 'warn') FROM check_result "
            f"WHERE run_id = {LATEST_CHECKED_RUN}"
        ).fetchone()
    plural = "" if warns == 1 else "s"
    print(f"\nchecks of the published run: {passed} passed, {errors} blocking failures, {warns} warning{plural}")
    if settings.target.is_ducklake:
        from .targets import redact
        from .targets.lake_admin import list_snapshots

        print(f"\nteam warehouse {redact(settings.target.uri)} (data {settings.target.data_path}), snapshots:")
        for snap in list_snapshots(settings.target.uri, settings.target.data_path)[:10]:
            print(f"  {snap['snapshot_id']:>4}  {str(snap['snapshot_time'])[:19]}  run {snap['run_id'] or '-'}")
    runs = read_run_log(settings, last=5)
    if runs:
        print("\nlast runs:")
        for r in runs:
            outcome = "published" if r.get("published") else f"not published: {r.get('error')}"
            print(f"  {r['started_at'][:19]}  {r['command']:<28} {r.get('seconds', 0):>6.1f} s  {outcome}")
    return 0


def print_coverage(con) -> None:
    """Treaty lists loaded against the depositary's published counts (the treaty_coverage view)."""
    rows = con.execute(
        "SELECT treaty_id, coverage, loaded_parties, depositary_parties, loaded_signatories, "
        "depositary_signatories, recorded_as_of FROM treaty_coverage ORDER BY treaty_id"
    ).fetchall()
    print("treaty coverage (loaded / depositary's count, as of):")
    for t, coverage, lp, dp, ls, ds, as_of in rows:
        print(f"  {t:<5} {coverage:<10} parties {lp}/{dp}, signatories {ls}/{ds}, as of {as_of}")


def run_summary(summary, settings: Settings, notes: list[str]) -> str:
    from .checks import report

    lines = [f"Published {settings.published_path} in {summary.seconds:.1f} s."]
    loaded = ", ".join(f"{s} ({ORIGIN[load.origin]})" for s, load in sorted(summary.loads.items()))
    lines.append(f"  new data: {loaded or 'none (derived tables rebuilt from the current data)'}")
    lines += [f"  note: {n}" for n in notes]
    for name, meta in summary.steps.items():
        if "kept" in meta:
            continue
        shown = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
            for k, v in meta.items()
            if k not in ("unresolved", "batch_id")
        )
        lines.append(f"  {name:<24} {shown}")
    if summary.steps.get("entity", {}).get("unresolved"):
        lines.append("  unresolved names (rows quarantined): " + "; ".join(summary.steps["entity"]["unresolved"]))
    lines.append(report(summary.outcomes))
    return "\n".join(lines)
