"""One blocking Dagster asset check per data contract (Great Expectations suite) in data_contracts/suites."""

import dagster as dg

from pipelines import checks
from pipelines.contracts import load_suite, previous_counts, suite_files, validate_table
from pipelines.resources import ArmsflowResource
from pipelines.warehouse import build_connection

from . import to_check_result


def _contract_check(suite: dict) -> dg.AssetChecksDefinition:
    table = suite["meta"]["table"]

    @dg.asset_check(asset=suite["meta"]["asset"], name=f"contract_{table}", blocking=True,
                    description=f"Great Expectations suite for table {table} ({len(suite['expectations'])} expectations)")
    def _check(context: dg.AssetCheckExecutionContext, armsflow: ArmsflowResource) -> dg.AssetCheckResult:
        settings = armsflow.settings()
        previous = previous_counts(settings.published_path, {table}).get(table)
        with build_connection(settings) as con:
            outcomes = validate_table(con, suite, previous)
            checks.record(con, context.run.run_id, outcomes)
        errors = [o for o in outcomes if o.severity == "error"] or outcomes
        worst = next((o for o in errors if not o.passed), errors[0])
        warnings = " | ".join(o.sample for o in outcomes if o.severity == "warn" and not o.passed)
        return to_check_result(worst, **({"warnings": warnings} if warnings else {}))

    return _check


contract_checks = [_contract_check(load_suite(p)) for p in suite_files()]
