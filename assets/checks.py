"""Asset checks: one per domain rule (``sql/checks``) and one per data contract (``data_contracts/suites``).

Error-level checks are blocking: a failure stops everything downstream, ``published_warehouse`` included, so the
published file stays as it was. Checks read the run's private build.
"""

import dagster as dg

from pipelines import checks as rules
from pipelines.contracts import load_suite, previous_counts, suite_files, validate_table
from pipelines.warehouse import connect

from .resources import ArmsflowResource


def to_check_result(outcome: rules.Outcome, **extra: str) -> dg.AssetCheckResult:
    severity = dg.AssetCheckSeverity.ERROR if outcome.severity == "error" else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
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


def _rule_check(rule: rules.Rule) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=rule.asset, name=rule.name, description=rule.description, blocking=rule.severity == "error")
    def _check(context: dg.AssetCheckExecutionContext, armsflow: ArmsflowResource) -> dg.AssetCheckResult:
        with connect(armsflow.ctx.build_path) as con:
            outcome = rules.run_rule(con, rule)
            rules.record(con, armsflow.ctx.run_id, [outcome])
        _note(armsflow, [outcome])
        return to_check_result(outcome)

    return _check


def _contract_check(suite: dict) -> dg.AssetChecksDefinition:
    table = suite["meta"]["table"]

    @dg.asset_check(
        asset=suite["meta"]["asset"],
        name=f"contract_{table}",
        blocking=True,
        description=f"Great Expectations suite for table {table} ({len(suite['expectations'])} expectations)",
    )
    def _check(context: dg.AssetCheckExecutionContext, armsflow: ArmsflowResource) -> dg.AssetCheckResult:
        previous = previous_counts(armsflow.ctx.settings.published_path, {table}).get(table)
        with connect(armsflow.ctx.build_path) as con:
            outcomes = validate_table(con, suite, previous)
            rules.record(con, armsflow.ctx.run_id, outcomes)
        _note(armsflow, outcomes)
        errors = [o for o in outcomes if o.severity == "error"] or outcomes
        worst = next((o for o in errors if not o.passed), errors[0])
        warnings = " | ".join(o.sample for o in outcomes if o.severity == "warn" and not o.passed)
        return to_check_result(worst, **({"warnings": warnings} if warnings else {}))

    return _check


rule_checks = [_rule_check(r) for r in rules.rules()]
contract_checks = [_contract_check(load_suite(p)) for p in suite_files()]
