"""The Dagster code location: whole graph materialised in process, blocking checks, graph snapshot, sensor."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

_was = os.environ.get("ARMSFLOW_PRESTART_WORKER")
os.environ["ARMSFLOW_PRESTART_WORKER"] = "0"  # collecting this module must not start a GX process (see below)
from assets import prestart  # noqa: E402
from assets.definitions import defs  # noqa: E402

if _was is None:
    del os.environ["ARMSFLOW_PRESTART_WORKER"]
else:
    os.environ["ARMSFLOW_PRESTART_WORKER"] = _was
from pipelines.config import CONTRACTS_DIR, SOURCES  # noqa: E402
from pipelines.steps import STEPS  # noqa: E402

pytestmark = pytest.mark.integration

TABLES = (
    "deal",
    "delivery",
    "entity",
    "entity_alias",
    "treaty_action",
    "membership",
    "nuclear_status",
    "reconciliation",
    "mart_transfer_enriched",
    "mart_country_year",
    "mart_dyad_year",
)


def counts(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def describe_definitions() -> dict:
    """Every asset's key, deps, group and kinds, every check, job, schedule and sensor: a reviewable graph."""
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
            "group": node.group_name,
            "kinds": sorted(node.kinds),
        }
    return {
        "assets": assets,
        "checks": sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys),
        "jobs": sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__")),
        "schedules": sorted((s.name, s.cron_schedule, s.job_name) for s in defs.schedules),
        "sensors": sorted(s.name for s in defs.sensors),
    }


def test_definitions_snapshot():
    """Regenerate with ARMSFLOW_UPDATE_SNAPSHOT=1 after a deliberate graph change, and review the diff."""
    now = json.loads(json.dumps(describe_definitions()))
    if os.environ.get("ARMSFLOW_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    assert now == json.loads(SNAPSHOT.read_text())


def test_graph_snapshot():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {s.name for s in STEPS} | {"published_warehouse"}
    deps = {
        k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
        for k in graph.get_all_asset_keys()
    }
    assert deps["entity"] == ["stg_sipri", "stg_sipri_tiv", "stg_unoda", "stg_wikidata"]
    assert deps["alliance"] == ["entity", "raw_atop", "raw_cow"]
    assert deps["published_warehouse"] == ["mart_country_year", "mart_dyad_year", "mart_transfer_enriched"]
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert groups["raw_sipri"] == "raw" and groups["deal"] == "warehouse" and groups["published_warehouse"] == "publish"
    checks = {c.name for c in graph.asset_check_keys}
    assert {"npt_never_parties", "nato_accessions", "contract_deal", "contract_mart_transfer_enriched"} <= checks


def test_materialising_everything_gives_the_cli_warehouse(home, contracts_home):
    """With the contract worker started as a script importing the definitions starts it (``assets.prestart``):
    the run takes that worker over and closes it."""
    prestart.start(force=True)
    worker = prestart._worker
    assert worker is not None and worker.proc.poll() is None
    result = defs.resolve_job_def("refresh").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    assert prestart._worker is None and worker.proc.poll() is not None, "the run did not take over the worker"
    events = result.get_asset_materialization_events()
    materialized = [m.asset_key.to_user_string() for m in events]
    assert sorted(materialized) == sorted([s.name for s in STEPS] + ["published_warehouse"])
    deal = next(m.materialization for m in events if m.asset_key == dg.AssetKey("deal"))
    assert deal.metadata["deals"].value > 0 and deal.metadata["seconds"].value > 0  # each step's own counts and time
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations if e.severity == dg.AssetCheckSeverity.ERROR)
    # contracts_home: what `armsflow refresh` (contracts on) publishes from the same bundled data
    assert counts(contracts_home / "warehouse.duckdb") == counts(home / "warehouse.duckdb")


def test_a_blocking_failure_stops_publication(home, tmp_path, monkeypatch):
    ref = tmp_path / "reference"
    shutil.copytree(CONTRACTS_DIR / "reference", ref)
    text = (ref / "alliance_membership.csv").read_text()
    (ref / "alliance_membership.csv").write_text(
        re.sub(r"^NATO,TUR,([^,]*),1952-02-18", r"NATO,TUR,\1,1960-02-18", text, flags=re.M)
    )
    monkeypatch.setenv("ARMSFLOW_REFERENCE_DIR", str(ref))
    result = defs.resolve_job_def("refresh").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    failed = {e.check_name: e for e in result.get_asset_check_evaluations() if not e.passed}
    assert "nato_accessions" in failed and "TUR" in failed["nato_accessions"].metadata["sample"].value
    materialized = {
        m.asset_key.to_user_string()
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }
    assert "membership" in materialized and "published_warehouse" not in materialized
    assert not (home / "warehouse.duckdb").exists()
    assert not list((home / "build").glob("*")), "the failed run's build (held open during the run) is left behind"


def test_a_failed_contract_on_an_early_table_stops_publication(home, tmp_path, monkeypatch):
    """A contract of an asset with steps downstream of it (entity) is checked after the last step, as in the CLI:
    the steps after it are built in the private build, the failed check shows on its asset, nothing is published."""
    ref = tmp_path / "reference"
    shutil.copytree(CONTRACTS_DIR / "reference", ref)
    with (CONTRACTS_DIR / "reference" / "entities.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["entity_id"] == "X-TRNC":  # not a COW state: no COW code, so no alliance data meets this one
            row["cow_code"] = "1000"  # the entity contract allows 2..999
    with (ref / "entities.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("ARMSFLOW_REFERENCE_DIR", str(ref))
    result = defs.resolve_job_def("refresh").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success
    failed = {e.check_name: e for e in result.get_asset_check_evaluations() if not e.passed}
    assert {n for n, e in failed.items() if e.severity == dg.AssetCheckSeverity.ERROR} == {"contract_entity"}
    assert failed["contract_entity"].asset_key == dg.AssetKey("entity")
    assert "cow_code" in failed["contract_entity"].metadata["sample"].value
    assert result.get_step_success_events() and "checks" not in {e.step_key for e in result.get_step_success_events()}
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert "mart_transfer_enriched" in materialized and "published_warehouse" not in materialized
    assert not (home / "warehouse.duckdb").exists()
    last = json.loads((home / "runs.jsonl").read_text().splitlines()[-1])  # the refused run's record
    assert last["published"] is False and last["checks"]["blocking_failures"] == 1
    assert not list((home / "build").glob("*"))


def test_sensor_requests_runs_for_changed_sources_only(home, baseline_home):
    sensor = defs.resolve_sensor_def("source_change_sensor")
    with dg.instance_for_test() as instance:
        requests = list(sensor(dg.build_sensor_context(instance=instance)))
        assert sorted(r.tags["armsflow/source"] for r in requests) == sorted(SOURCES)
        shutil.copytree(baseline_home, home)  # the home as `armsflow refresh --no-contracts` leaves it
        assert list(sensor(dg.build_sensor_context(instance=instance)) or []) == []


def test_schedules():
    weekly = defs.resolve_schedule_def("weekly_treaties_alliances")
    assert weekly.cron_schedule == "0 4 * * 1" and weekly.job_name == "refresh_treaties_alliances"
    assert defs.resolve_schedule_def("sipri_after_spring_release").job_name == "refresh_sipri"


def test_a_dagster_run_refuses_while_another_writer_holds_the_home(home):
    from pipelines.config import load_settings
    from pipelines.runs import run_lock

    with run_lock(load_settings(), "cli-test-run", "import-sipri big.csv"):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    assert not result.success
    assert not (home / "warehouse.duckdb").exists()
    text = str(result.all_events)
    assert "another run is writing" in text and "import-sipri big.csv" in text


def test_jobs_run_in_process_one_writer_at_a_time():
    job = defs.resolve_job_def("refresh")
    assert job.executor_def.name == "in_process"
    assert job.tags.get("armsflow/writer") == "home"
    yaml_text = (Path(__file__).parent.parent / "assets" / "dagster.yaml").read_text()
    assert "armsflow/writer" in yaml_text and "limit: 1" in yaml_text


def test_every_check_is_evaluated_in_one_op_after_the_last_step():
    """One op for every check, downstream of every mart and upstream of the publish: the contract worker then
    has the whole build to import Great Expectations in (one op per graph level made the first contract op wait)."""
    job = defs.resolve_job_def("refresh")
    nodes = set(job.graph.node_names())
    assert "checks" in nodes and not {n for n in nodes if n.startswith("checks_")}
    structure = job.graph.dependency_structure
    upstream = structure.input_to_upstream_outputs_for_node("checks")
    marts = {s.name for s in STEPS if s.group == "marts"}
    assert marts <= {o.output_name for outputs in upstream.values() for o in outputs}
    downstream = structure.output_to_downstream_inputs_for_node("checks")
    assert {i.node.name for inputs in downstream.values() for i in inputs} == {"published_warehouse"}


def test_a_source_job_in_a_home_without_the_other_sources_says_what_to_run(home):
    """refresh_sipri selects raw_sipri and what is downstream; in an empty home the other sources have no data.
    It used to fail deep in SQL (a Catalog Error on staging.treaty_action, with a traceback); now the first step
    that reads them (entity) says which sources are missing and what to run, before touching them, and nothing is
    published or left behind."""
    result = defs.resolve_job_def("refresh_sipri").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success
    failures = [e.step_failure_data for e in result.all_events if e.is_step_failure]
    assert len(failures) == 1, [f.error.message[:300] for f in failures]
    failure = failures[0]
    text = (failure.user_failure_data.description if failure.user_failure_data else "") or ""
    assert "unoda" in text and "never published" in text and "`refresh` job" in text, failure.error.message
    assert "Catalog Error" not in failure.error.message
    assert not (home / "warehouse.duckdb").exists()
    assert not list((home / "build").glob("*"))


def test_the_worker_started_with_the_definitions_is_not_left_running():
    """Code servers and step processes never start one; one no run takes is closed (after IDLE_SECONDS, at exit)."""
    assert prestart.serving(["dagster", "api", "grpc", "--lazy-load-user-code"])
    assert prestart.serving(["dagster", "code-server", "start"])
    assert prestart.serving(["dagster", "api", "execute_step", "{}"])
    assert not prestart.serving(["dagster", "api", "execute_run", "{}"]) and not prestart.serving(["-c"])
    prestart.start(force=True)
    worker = prestart._worker
    assert worker is not None and prestart._timer is not None and prestart._timer.daemon
    prestart.discard()
    assert prestart._worker is None and worker.proc.poll() is not None


def _sipri_job():
    return defs.resolve_job_def("refresh_sipri")


def test_reading_a_finished_runs_result_starts_no_second_run(home):
    """``dagster job execute`` (and ``with dg.execute_job(...) as result``) open the result, which sets the run's
    resources up again after the run has ended, to read outputs. The resource used to start a second transaction
    then: the lock, a copy of the warehouse, a contract worker, and a second record of the same run in runs.jsonl
    saying it was not published."""
    with dg.instance_for_test() as instance:
        with dg.execute_job(dg.reconstructable(_sipri_job), instance=instance, raise_on_error=False) as result:
            assert not result.success  # this home has no other sources: it stops at the first step needing them
            run_id = result.run_id
    records = [json.loads(line) for line in (home / "runs.jsonl").read_text().splitlines()]
    assert [r["run_id"] for r in records].count(run_id) == 1, records
    assert not list((home / "build").glob("*"))


def test_every_step_is_an_asset_of_one_op_that_runs_them_as_the_cli_does():
    """The steps are one subsettable multi-asset (one op, each step its own asset, lineage as declared), so the op
    runs them with ``runner.run_steps``, two independent ones side by side below a few million rows as the CLI does."""
    job = defs.resolve_job_def("refresh")
    assert set(job.graph.node_names()) == {"steps", "checks", "published_warehouse"}
    steps_def = next(a for a in defs.resolve_asset_graph().assets_defs if a.node_def.name == "steps")
    assert steps_def.can_subset
    assert {k.to_user_string() for k in steps_def.keys} == {s.name for s in STEPS}


def test_a_source_job_runs_only_its_assets(home, baseline_home):
    """refresh_treaties_alliances in a home that holds every source: only the selected steps run (the op's subset),
    each reported as materialised, and the result is published."""
    shutil.copytree(baseline_home, home, dirs_exist_ok=True)
    before = counts(home / "warehouse.duckdb")
    job = defs.resolve_job_def("refresh_treaties_alliances")
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    selected = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert materialized == selected and "published_warehouse" in materialized
    assert not {"raw_sipri", "stg_sipri", "raw_atop"} & materialized
    assert counts(home / "warehouse.duckdb") == before
    last = json.loads((home / "runs.jsonl").read_text().splitlines()[-1])
    assert last["published"] is True and "raw_sipri" not in last["counts"] and "membership" in last["counts"]


def test_a_failing_step_stops_the_steps_op_and_nothing_is_published(home, tmp_path, monkeypatch):
    """A step that raises in its thread (alliance, on an unreadable curated file) fails the ``steps`` op once the
    steps running beside it end: those that ended are reported, no later step starts, nothing is published."""
    ref = tmp_path / "reference"
    shutil.copytree(CONTRACTS_DIR / "reference", ref)
    (ref / "alliance_membership.csv").write_text("not,the,columns\n1,2,3\n")
    monkeypatch.setenv("ARMSFLOW_REFERENCE_DIR", str(ref))
    result = defs.resolve_job_def("refresh").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["steps"], [e.step_key for e in failures]
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert {s.name for s in STEPS if s.group in ("raw", "staging")} | {"entity"} <= materialized
    assert not {"alliance", "membership", "published_warehouse"} & materialized
    assert not (home / "warehouse.duckdb").exists()
    assert not list((home / "build").glob("*"))
    last = json.loads((home / "runs.jsonl").read_text().splitlines()[-1])
    assert last["published"] is False
