"""The Dagster run's contract worker: one child process answers every contract op of a run, as in-process would."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contract_worker import ContractWorker
from pipelines.contracts import run_contracts

pytestmark = pytest.mark.integration


def test_the_worker_answers_each_request_as_in_process_validation_would(contracts_home, tmp_path):
    """Same outcomes from the child (deferred imports, warm-up) as from validating here, failures included."""
    warehouse = contracts_home / "warehouse.duckdb"  # read-only here and in the worker
    broken = tmp_path / "warehouse.duckdb"  # a copy with a treaty opened before the earliest date allowed
    broken.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(broken)) as con:
        con.execute("UPDATE treaty SET opened = DATE '1900-01-01' WHERE treaty_id = 'NPT'")
    requests = [
        (warehouse, {"entity", "entity_alias"}, {}),
        (warehouse, {"deal", "delivery"}, {"deal": 10**9}),  # a previous count no refresh could reach: deal fails
        (broken, {"treaty", "organisation", "quarantine"}, {"organisation": 10_000}),  # and a sharp shrink
    ]
    worker = ContractWorker()
    try:
        answers = [worker.validate(path, tables, previous) for path, tables, previous in requests]
        expected = []
        for path, tables, previous in requests:
            with duckdb.connect(str(path), read_only=True) as con:
                expected.append(run_contracts(con, previous, tables))
        assert answers == expected
        assert {o.check_name for o in answers[0]} == {"contract_entity", "contract_entity_alias"}
        assert [o.check_name for o in answers[1] if not o.passed] == ["contract_deal"]
        assert {o.check_name for o in answers[2] if not o.passed} == {"contract_treaty", "contract_organisation"}

        worker.proc.kill()
        worker.proc.wait()
        with pytest.raises(RuntimeError, match="contract worker exited"):
            worker.validate(warehouse, {"deal"}, {})
    finally:
        worker.close()
