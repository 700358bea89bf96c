"""Which run is the latest: the newest by time, for the contract outcomes a run carries over for a table it kept,
for the checks `armsflow status` and the dashboard show, and for the dashboard's run list.

CLI run ids start with a timestamp, Dagster's are UUIDs, so the newest run is not the greatest id."""

from __future__ import annotations

import duckdb

from pipelines.contracts import carried_contracts
from pipelines.warehouse import ensure_tables

DAGSTER_RUN = "f3a1c2d4-0000-4000-8000-000000000000"  # a Dagster run id: sorts after every CLI id
CLI_RUN = "20261126T070000000000-cli-1234"


def _outcome(con, run_id: str, name: str, passed: bool, at: str) -> None:
    con.execute(
        "INSERT INTO check_result VALUES (?, ?, 'deal', 'contract', ?, ?, ?, NULL, 'deal contract', NULL, ?::TIMESTAMPTZ)",
        [run_id, name, "warn" if name.endswith("_warnings") else "error", passed, 0 if passed else 3, at],
    )


def _kept_deal(tmp_path, built_by: str):
    """A build whose deal table was last built at 06:00 by ``built_by`` and kept since (no rows needed)."""
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    ensure_tables(con, "check_result", "step_input")
    con.execute("CREATE TABLE deal (deal_id VARCHAR)")
    con.execute("INSERT INTO step_input VALUES ('deal', 'x', ?, '2026-11-26 06:00:00+00')", [built_by])
    return con


def test_a_later_cli_validation_outranks_an_earlier_dagster_one(tmp_path):
    """deal passed in a Dagster run, then failed a warning in a later CLI run and was kept since: the next run must
    validate deal again (its latest outcome failed), not carry the Dagster run's pass over the newer warning."""
    con = _kept_deal(tmp_path, built_by=DAGSTER_RUN)
    _outcome(con, DAGSTER_RUN, "contract_deal", True, "2026-11-26 06:05:00+00")
    _outcome(con, DAGSTER_RUN, "contract_deal_warnings", True, "2026-11-26 06:05:00+00")
    _outcome(con, CLI_RUN, "contract_deal", True, "2026-11-26 07:05:00+00")
    _outcome(con, CLI_RUN, "contract_deal_warnings", False, "2026-11-26 07:05:00+00")

    validate, carried = carried_contracts(con, rebuilt=set())

    assert "deal" in validate
    assert not [o for o in carried if o.asset == "deal"]


def test_the_latest_passing_validation_is_the_one_carried(tmp_path):
    con = _kept_deal(tmp_path, built_by=CLI_RUN)
    _outcome(con, CLI_RUN, "contract_deal", False, "2026-11-26 06:05:00+00")
    _outcome(con, DAGSTER_RUN, "contract_deal", True, "2026-11-26 07:05:00+00")

    validate, carried = carried_contracts(con, rebuilt=set())

    assert "deal" not in validate
    assert [o.check_name for o in carried if o.asset == "deal"] == ["contract_deal"]
    assert DAGSTER_RUN in carried[[o.asset for o in carried].index("deal")].description


def test_the_dashboard_shows_the_newest_run_s_checks(tmp_path):
    """The published run is the newest by time; an older Dagster run's UUID must not outrank it (`armsflow status`
    reads the same run: checks.LATEST_CHECKED_RUN)."""
    from pipelines.dashboard.data import check_results

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_tables(con, "check_result")
        _outcome(con, DAGSTER_RUN, "contract_deal", True, "2026-11-26 06:05:00+00")
        _outcome(con, CLI_RUN, "contract_deal", False, "2026-11-26 07:05:00+00")
    shown = check_results(path)
    assert list(shown["passed"]) == [False]  # the CLI run's (newer) failure, not the Dagster run's pass


def test_the_dashboard_lists_runs_newest_first(tmp_path):
    from pipelines.dashboard.data import last_runs

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_tables(con, "run")
        for run_id, started in ((DAGSTER_RUN, "2026-11-26 06:00:00+00"), (CLI_RUN, "2026-11-26 07:00:00+00")):
            con.execute(
                "INSERT INTO run (run_id, command, published, started_at, seconds) VALUES (?, 'refresh', TRUE, ?, 1)",
                [run_id, started],
            )
    assert list(last_runs(path)["run_id"]) == [CLI_RUN, DAGSTER_RUN]
