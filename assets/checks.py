"""Asset checks: one per domain rule (``sql/checks``) and one per data contract (``data_contracts/suites``).

They are evaluated by two multi-asset checks (one for the rules, one for the contracts) after the assets they
check: one op per check made Dagster's refresh about 2x the CLI's. A blocking check must pass before the assets
downstream of its asset run, so Dagster splits each multi-asset check into one op per level of the graph
(``domain_rules``, ``domain_rules_2``, ...). Each check keeps its own name, asset and blocking flag in the UI.
The contracts are validated in the run's contract worker (``pipelines.contract_worker``), which imported Great
Expectations on the other core while the first steps ran.

Error-level checks are blocking: a failure stops everything downstream, ``published_warehouse`` included, so the
published file stays as it was. Checks read the run's private build.
"""

import dagster as dg

from pipelines import checks as rules
from pipelines.contracts import load_suite, previous_counts, suite_files
from pipelines.warehouse import connect

from .resources import ArmsflowResource


def to_check_result(outcome: rules.Outcome, check_name: str, asset: str, **extra: str) -> dg.AssetCheckResult:
    severity = dg.AssetCheckSeverity.ERROR if outcome.severity == "error" else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        check_name=check_name,
        asset_key=dg.AssetKey(asset),
        passed=outcome.passed,
        severity=severity,
        description=outcome.description,
        metadata={
            "failing_rows": outcome.failing_rows,
            "sample": outcome.sample or "none",
            "fix": outcome.hint or "",
            **extra,
        },
    )


def _note(armsflow: ArmsflowResource, outcomes: list[rules.Outcome]) -> None:
    tally = armsflow.record.setdefault("checks", {"passed": 0, "blocking_failures": 0, "warnings": 0})
    for o in outcomes:
        key = "passed" if o.passed else ("blocking_failures" if o.severity == "error" else "warnings")
        tally[key] += 1


def _selected(context: dg.AssetCheckExecutionContext) -> set[str]:
    return {key.name for key in context.selected_asset_check_keys}


RULES = rules.rules()
SUITES = [load_suite(p) for p in suite_files()]


@dg.multi_asset_check(
    name="domain_rules",
    specs=[
        dg.AssetCheckSpec(r.name, asset=r.asset, description=r.description, blocking=r.severity == "error")
        for r in RULES
    ],
    can_subset=True,
)
def domain_rules(context: dg.AssetCheckExecutionContext, armsflow: ArmsflowResource):
    """Every selected rule in one op over one connection (one op per rule cost ~25 ms of Dagster each)."""
    chosen = [r for r in RULES if r.name in _selected(context)]
    with connect(armsflow.ctx.build_path) as con:
        outcomes = [rules.run_rule(con, r) for r in chosen]
        rules.record(con, armsflow.ctx.run_id, outcomes)
    _note(armsflow, outcomes)
    for rule, outcome in zip(chosen, outcomes, strict=True):
        yield to_check_result(outcome, rule.name, rule.asset)


@dg.multi_asset_check(
    name="data_contracts",
    specs=[
        dg.AssetCheckSpec(
            f"contract_{s['meta']['table']}",
            asset=s["meta"]["asset"],
            description=f"Great Expectations suite for table {s['meta']['table']} "
            f"({len(s['expectations'])} expectations)",
            blocking=True,
        )
        for s in SUITES
    ],
    can_subset=True,
)
def data_contracts(context: dg.AssetCheckExecutionContext, armsflow: ArmsflowResource):
    """The selected suites through one GX SQL datasource in the run's worker (one per suite cost a datasource and
    an op each)."""
    selected = _selected(context)
    suites = [s for s in SUITES if f"contract_{s['meta']['table']}" in selected]
    tables = {s["meta"]["table"] for s in suites}
    previous = previous_counts(armsflow.ctx.settings.published_path, tables)
    outcomes = armsflow.validate_contracts(tables, previous)
    with connect(armsflow.ctx.build_path) as con:
        rules.record(con, armsflow.ctx.run_id, outcomes)
    _note(armsflow, outcomes)
    for suite in suites:
        name = f"contract_{suite['meta']['table']}"
        mine = [o for o in outcomes if o.check_name in (name, f"{name}_warnings")]
        errors = [o for o in mine if o.severity == "error"] or mine
        worst = next((o for o in errors if not o.passed), errors[0])
        warnings = " | ".join(o.sample for o in mine if o.severity == "warn" and not o.passed)
        yield to_check_result(worst, name, suite["meta"]["asset"], **({"warnings": warnings} if warnings else {}))


asset_checks = [domain_rules, data_contracts]
