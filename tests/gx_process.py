"""One Python process that imports Great Expectations once and answers what several tests ask of a fresh GX process
(tests/conftest.py ``gx_answers``, computed once per test session): whether the imports GX does not need stay deferred
and still work when used (test_overhead.py), whether the worker's split validation answers as one process would
(fork answers, fork dies) and whether our dialect's outcomes equal those through duckdb_engine's own dialect
(test_contracts_cost.py). The build it validates fails three suites: a date and a year out of range, and a shrink
the organisation contract refuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

SCRIPT = """
import json, os, sys
from dataclasses import asdict
from pipelines import contract_worker as cw, contracts, gx_duckdb
build, markers = sys.argv[1], sys.argv[2]
answers = {}

# GX imports with scipy.stats and altair deferred (pipelines.contracts.defer_unused_imports)
contracts.defer_unused_imports()
contracts._build_context()
answers["deferred"] = {name: type(sys.modules.get(name)).__name__ for name in ("scipy.stats", "altair")}
# and they load when something uses them
from scipy import stats
import altair as alt
answers["used"] = {
    "scipy.stats": bool(abs(stats.entropy([0.5, 0.5], [0.5, 0.5])) < 1e-12),
    "altair": alt.Chart is sys.modules["altair"].Chart,
}

# every suite in this process, as one request; then split in two as the worker does
parent, validate = os.getpid(), cw._validate
previous = {"organisation": 10_000}
serial = [o for outcomes in validate(build, contracts.suites_for(None), previous) for o in outcomes]

def in_the_fork_too(build, suites, previous):
    if os.getpid() != parent:
        if mode == "dies":
            os._exit(3)
        open(os.path.join(markers, mode), "w").close()
    return validate(build, suites, previous)

cw._validate = in_the_fork_too
answers["split"] = []
for mode in ("answers", "dies"):
    split = cw.validate_split(build, contracts.suites_for(None), previous)
    failed = sorted(o.check_name for o in split if not o.passed)
    forked = os.path.exists(os.path.join(markers, mode))
    answers["split"].append({"mode": mode, "same": split == serial, "failed": failed, "forked": forked})
cw._validate = validate

# the same suites through duckdb_engine's own dialect
gx_duckdb.URL = "duckdb:///:memory:"
upstream = [o for outcomes in validate(build, contracts.suites_for(None), previous) for o in outcomes]
answers["upstream"] = {
    "same": serial == upstream, "ours": [asdict(o) for o in serial], "upstream": [asdict(o) for o in upstream]
}

print(json.dumps(answers))
"""


def answer(baseline: Path, folder: Path) -> None:
    """Run SCRIPT on a changed copy of the baseline warehouse in folder; its answers in folder/answers.json."""
    from pipelines.contract_worker import ROOT

    warehouse = folder / "warehouse.duckdb"
    warehouse.write_bytes((baseline / "warehouse.duckdb").read_bytes())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE treaty SET opened = DATE '1900-01-01' WHERE treaty_id = 'NPT'")
        con.execute("UPDATE deal SET order_year = 1700 WHERE deal_id = (SELECT min(deal_id) FROM deal)")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(warehouse), str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (folder / "answers.json").write_text(proc.stdout.strip().splitlines()[-1])
