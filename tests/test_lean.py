"""A run command keeps pandas and pyarrow out of its process (``pipelines.lean``) without losing anything that needs
them: every source's steps run without pyarrow, the in-process contract fallback still validates, and pandas is
importable again once the run is over."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from tests.cliproc import env_for
from tests.wire import API_ROWS, api_response, legacy_csv

RUN = """
import json, sys
from pipelines.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "pandas_loaded": sys.modules.get("pandas") is not None and "pandas" in sys.modules}))
import pandas  # importable again after the run
"""

DYING_WORKER = """
import pipelines.contract_worker as cw
start = cw.ContractWorker.__init__

def dies_at_once(self):  # a real worker whose process is gone before the run asks it anything
    start(self)
    self.proc.kill()
    self.proc.wait()

cw.ContractWorker.__init__ = dies_at_once
"""


def python(home, code: str, *args: str) -> tuple[dict, str]:
    r = subprocess.run(
        [sys.executable, "-c", code, *args], env=env_for(home), capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr


def test_an_import_without_contracts_never_loads_pandas(published_home, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(legacy_csv())
    out, _ = python(published_home, RUN, "import-sipri", str(path), "--accept-smaller", "--no-contracts")
    assert out == {"code": 0, "pandas_loaded": False}


RUNS = """
import json, sys
from pipelines.cli import main
out = []
for argv in json.loads(sys.argv[1]):
    out.append([main(argv), "pyarrow" in sys.modules and sys.modules["pyarrow"] is not None])
print(json.dumps(out))
"""
# An API deal delivered over three years: its TIV takes the Kahan path (stages/deals.kahan_tiv)
THREE_YEARS = [
    f"71010,France,Greece,Rafale,FGA aircraft,Aircraft,2021,No,6,No,{y},No,New,55,55,330.1,No"
    for y in (2022, 2023, 2024)
]


def test_every_step_runs_without_pyarrow(published_home, tmp_path):
    """A rebuild of every table from the bundled data, then an import of each SIPRI format: pyarrow (0.3-0.45 s to
    import) is never loaded, and nothing a run does needs it (the lean mark makes any import of it fail)."""
    legacy, api = tmp_path / "export.csv", tmp_path / "response.json"
    legacy.write_bytes(legacy_csv())
    api.write_bytes(api_response(API_ROWS + THREE_YEARS))
    commands = [
        ["refresh", "--force", "--no-contracts"],
        ["import-sipri", str(legacy), "--accept-smaller", "--no-contracts"],
        ["import-sipri", str(api), "--accept-smaller", "--no-contracts"],
    ]
    out, err = python(published_home, RUNS, json.dumps(commands))
    assert out == [[0, False]] * 3, err[-3000:]
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        tiv = con.execute("SELECT tiv_delivered FROM deal WHERE deal_id = '71010'").fetchone()
    assert tiv is not None and abs(tiv[0] - 990.3) < 1e-9


def test_the_in_process_contract_fallback_still_validates(published_home, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(legacy_csv())
    out, err = python(published_home, DYING_WORKER + RUN, "import-sipri", str(path), "--accept-smaller")
    assert out["code"] == 0 and "validating in-process" in err
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        contracts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE passed) FROM check_result WHERE kind = 'contract' "
            "AND run_id = (SELECT max(run_id) FROM check_result) AND description NOT LIKE '%carried over%'"
        ).fetchone()
    assert contracts[0] > 0 and contracts[0] == contracts[1]
