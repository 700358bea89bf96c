"""Asset checks: one per domain rule (``sql/checks``) and one per data contract (``data_contracts/suites``).

All of them are evaluated by one multi-asset check, ``checks``, after the last step, as the CLI evaluates them
(build, check, then publish): the build is closed, the run's contract worker (``pipelines.contract_worker``)
validates the contracts of the selected tables while this process runs the selected domain rules on it, both
read-only, and every result is written to ``check_result`` and reported on its own check. Each check keeps its
own name and asset in the UI. One op per check made Dagster's refresh about 2x the CLI's; one op per level of the
graph (what Dagster makes of a multi-asset check whose checks block the assets downstream of theirs) put the
worker's Great Expectations import on the critical path: the first contract op waited for it about 1.5 s.

Every error-level check blocks publication, as in the CLI. A check of a mart (the assets ``published_warehouse``
depends on) is a blocking check in Dagster's own terms, so ``published_warehouse`` waits for the ``checks`` op and
is skipped when one fails. A check of an earlier asset cannot be (blocking the assets downstream of its asset
would split the op by level again), so it is declared non-blocking and, when an error-level check failed, the
``checks`` op reports every result and then fails, which skips ``published_warehouse`` just the same. In the UI
the failed check shows on its asset's checks tab and the run as failed at ``checks``; the assets downstream of
the checked asset were built in the run's private build, which is discarded. ``published_warehouse`` also refuses
to publish if an error-level check of its run failed.
"""

import dagster as dg

from pipelines import checks as rules
from pipelines.contracts import load_suite, previous_counts, suite_files
from pipelines.runner import check_counts
from pipelines.steps import STEPS

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


RULES = rules.rules()
SUITES = [load_suite(p) for p in suite_files()]
MARTS = [s.name for s in STEPS if s.group == "marts"]  # the last steps: published_warehouse's deps


def _spec(name: str, asset: str, description: str, error: bool) -> dg.AssetCheckSpec:
    """Evaluated after the marts; blocking in Dagster's terms only where that blocks nothing but the publish."""
    return dg.AssetCheckSpec(
        name,
        asset=asset,
        description=description + (" An error-level check: a failure stops publication." if error else ""),
        blocking=error and asset in MARTS,
        additional_deps=[m for m in MARTS if m != asset],
    )


@dg.multi_asset_check(
    name="checks",
    specs=[
        *(_spec(r.name, r.asset, r.description, r.severity == "error") for r in RULES),
        *(
            _spec(
                f"contract_{s['meta']['table']}",
                s["meta"]["asset"],
                f"Great Expectations suite for table {s['meta']['table']} ({len(s['expectations'])} expectations).",
                True,
            )
            for s in SUITES
        ),
    ],
    can_subset=True,
)
def checks(context: dg.AssetCheckExecutionContext, armsflow: ArmsflowResource):
    """The selected rules in this process and the selected suites in the run's worker, at the same time."""
    selected = {key.name for key in context.selected_asset_check_keys}
    chosen = [r for r in RULES if r.name in selected]
    suites = [s for s in SUITES if f"contract_{s['meta']['table']}" in selected]
    tables = {s["meta"]["table"] for s in suites}
    previous = previous_counts(armsflow.ctx.settings.published_path, tables) if tables else {}
    results = armsflow.run_checks(chosen, tables, previous)
    found = next(results)
    for rule, outcome in zip(chosen, found, strict=True):  # reported while the worker validates
        yield to_check_result(outcome, rule.name, rule.asset)
    validated = next(results)
    armsflow.record["checks"] = check_counts(found + validated)  # as the CLI's run record has them
    for suite in suites:
        name = f"contract_{suite['meta']['table']}"
        mine = [o for o in validated if o.check_name in (name, f"{name}_warnings")]
        errors = [o for o in mine if o.severity == "error"] or mine
        worst = next((o for o in errors if not o.passed), errors[0])
        warnings = " | ".join(o.sample for o in mine if o.severity == "warn" and not o.passed)
        yield to_check_result(worst, name, suite["meta"]["asset"], **({"warnings": warnings} if warnings else {}))
    failed = sorted({o.check_name for o in found + validated if o.blocking_failure})
    if failed:  # after every result is reported, so the UI shows each failed check on its asset
        raise dg.Failure(
            description=f"{len(failed)} error-level check(s) failed: {', '.join(failed)}; the build is not published",
            allow_retries=False,
        )


asset_checks = [checks]
