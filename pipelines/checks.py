"""Checks: domain rules (``sql/checks/*.sql``) and data contracts (``data_contracts/suites``), one result shape.

A domain rule is a query that returns the offending rows; none means it holds. Its header comments name the
asset it guards, its severity (error blocks publication, warn only reports), what it means and how to fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from .config import SQL_DIR

SAMPLE_ROWS = 5


def latest_checked_run(where: str = "") -> str:
    """SQL subquery: the run whose check results (those matching ``where``, if given) are the newest. By time, since
    CLI run ids start with a timestamp but Dagster's are UUIDs, which sort after every CLI id whatever their age."""
    where = f" WHERE {where}" if where else ""
    return f"(SELECT run_id FROM check_result{where} ORDER BY checked_at DESC, run_id DESC LIMIT 1)"


LATEST_CHECKED_RUN = latest_checked_run()  # the published run's, in a published warehouse


@dataclass(frozen=True)
class Rule:
    name: str
    asset: str
    severity: str
    description: str
    hint: str
    sql: str


@dataclass
class Outcome:
    check_name: str
    asset: str
    kind: str
    severity: str
    passed: bool
    failing_rows: int
    sample: str
    description: str
    hint: str = ""

    @property
    def blocking_failure(self) -> bool:
        return not self.passed and self.severity == "error"


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    found = []
    for path in sorted((SQL_DIR / "checks").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        meta = dict(re.findall(r"^--\s*(asset|severity|description|hint):\s*(.+)$", text, flags=re.M))
        if meta.get("severity") not in ("error", "warn") or "asset" not in meta:
            raise ValueError(f"{path}: header needs '-- asset:' and '-- severity: error|warn'")
        found.append(
            Rule(
                path.stem,
                meta["asset"],
                meta["severity"],
                meta.get("description", path.stem),
                meta.get("hint", ""),
                text,
            )
        )
    return tuple(found)


def _format_sample(columns: list[str], rows: list[tuple]) -> str:
    return "; ".join(", ".join(f"{c}={v}" for c, v in zip(columns, row, strict=False)) for row in rows)


def run_rule(con, rule: Rule) -> Outcome:
    try:
        cur = con.execute(f"SELECT * FROM ({rule.sql.rstrip().rstrip(';')}) AS offending")
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except Exception as exc:  # a rule that cannot run is a failed rule, said plainly
        return Outcome(
            rule.name,
            rule.asset,
            "domain_rule",
            rule.severity,
            False,
            0,
            f"could not run: {str(exc).splitlines()[0]}",
            rule.description,
            rule.hint,
        )
    return Outcome(
        rule.name,
        rule.asset,
        "domain_rule",
        rule.severity,
        not rows,
        len(rows),
        _format_sample(columns, rows[:SAMPLE_ROWS]),
        rule.description,
        rule.hint,
    )


def run_rules(con, asset: str | None = None) -> list[Outcome]:
    return [run_rule(con, r) for r in rules() if asset is None or r.asset == asset]


def record(con, run_id: str, outcomes: list[Outcome]) -> None:
    from .warehouse import ensure_tables, transaction

    ensure_tables(con, "check_result")
    now = datetime.now(timezone.utc)
    with transaction(con):  # one commit for all rows, not one per row
        con.executemany(
            "INSERT INTO check_result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    o.check_name,
                    o.asset,
                    o.kind,
                    o.severity,
                    o.passed,
                    o.failing_rows,
                    o.sample,
                    o.description,
                    o.hint,
                    now,
                )
                for o in outcomes
            ],
        )


def report(outcomes: list[Outcome], verbose: bool = False) -> str:
    """A report a non-engineer can read: what failed, which rows, what to do; then the passes in one line."""
    failed = [o for o in outcomes if not o.passed]
    errors = [o for o in failed if o.severity == "error"]
    lines = []
    if not failed:
        lines.append(f"All {len(outcomes)} checks passed.")
    else:
        lines.append(
            f"{len(errors)} blocking check(s) failed, {len(failed) - len(errors)} warning(s), "
            f"{len(outcomes) - len(failed)} passed."
        )
    for o in sorted(failed, key=lambda o: (o.severity != "error", o.asset, o.check_name)):
        label = "FAILED " if o.severity == "error" else "WARNING"
        lines.append(f"\n{label} {o.check_name} (on {o.asset}, {o.failing_rows} row(s)): {o.description}")
        if o.sample:
            lines.append(f"    e.g. {o.sample}")
        if o.hint:
            lines.append(f"    fix: {o.hint}")
    if verbose:
        lines.append("\nPassed: " + ", ".join(o.check_name for o in outcomes if o.passed))
    return "\n".join(lines)
