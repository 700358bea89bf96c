"""The Dagster run's contract worker: one child process answers every contract op of a run, as in-process would."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contract_worker import ContractWorker
from pipelines.contracts import run_contracts

pytestmark = pytest.mark.integration


def test_the_worker_answers_each_request_as_in_process_validation_would(contracts_home):
    warehouse = contracts_home / "warehouse.duckdb"  # read-only here and in the worker
    requests = [
        ({"entity", "entity_alias"}, {}),
        ({"deal", "delivery"}, {"deal": 10**9}),  # a previous count no refresh could reach: the deal suite fails
    ]
    worker = ContractWorker()
    try:
        answers = [worker.validate(warehouse, tables, previous) for tables, previous in requests]
        with duckdb.connect(str(warehouse), read_only=True) as con:
            expected = [run_contracts(con, previous, tables) for tables, previous in requests]
        assert answers == expected
        assert {o.check_name for o in answers[0]} == {"contract_entity", "contract_entity_alias"}
        assert [o.check_name for o in answers[1] if not o.passed] == ["contract_deal"]

        worker.proc.kill()
        worker.proc.wait()
        with pytest.raises(RuntimeError, match="contract worker exited"):
            worker.validate(warehouse, {"deal"}, {})
    finally:
        worker.close()
