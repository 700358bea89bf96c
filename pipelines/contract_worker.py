"""The data contracts in a child process that starts with the run, so importing Great Expectations overlaps the build.

``import great_expectations`` costs about 3 s of one core here (its expectation registry imports scipy, altair and
pandas) and the suites themselves under 1 s. In the run's own process that import either follows the build or,
on a side thread, competes with it for the GIL; in a child it runs on the other core while the build works.
If the child fails for any reason the run validates in-process instead, so contracts never go unchecked.

One worker serves both executors, the same way: a CLI run and a Dagster run (its ``checks`` op, after the last
step) each send one request after the build (``send``, then ``result`` once the domain rules ran in the run's
process). Each request is one JSON line (the build file, the tables to validate or null
for all, the previous row counts); the child opens the build read-only (the run has let go of it by then),
validates and answers one JSON line, ``{"outcomes": [...]}`` or ``{"error": "..."}``, on a private copy of its
stdout so nothing a library prints can garble it. Its stderr goes to a temp file, so a full pipe cannot hang it.

Its own time is on the critical path (the build finishes first, then waits for it), so: the CLI starts it before
importing the pipeline; GX's unused scipy.stats and altair imports are deferred
(``contracts.defer_unused_imports``); and while no request is waiting it validates a two-row in-memory table once
(``contracts.warm_up``) so the first real validation starts warm.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from .checks import Outcome

ROOT = Path(__file__).resolve().parent.parent  # the folder holding this ``pipelines`` package


class ContractWorker:
    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.contract_worker"],
            cwd=ROOT,  # ``-m`` imports from the working directory first: this code's, not whatever is where the run is
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def send(self, build: Path, tables: set[str] | None, previous: dict[str, int]) -> None:
        """Ask for a validation (the build must be closed by then: the child opens it read-only)."""
        request = {
            "build": str(Path(build).resolve()),
            "tables": None if tables is None else sorted(tables),
            "previous": previous,
        }
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except OSError:  # a broken pipe: the child is gone; ``result`` says why
            pass

    def result(self) -> list[Outcome]:
        """The answer to the request sent; raises RuntimeError (with its stderr or its error) if there is none."""
        try:
            line = self.proc.stdout.readline()
        except OSError:
            line = ""
        if not line.strip():
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self._stderr.seek(0)
            err = self._stderr.read().strip()[-500:]
            raise RuntimeError(f"contract worker exited {self.proc.returncode}: {err}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return [Outcome(**o) for o in answer["outcomes"]]

    def validate(self, build: Path, tables: set[str] | None, previous: dict[str, int]) -> list[Outcome]:
        self.send(build, tables, previous)
        return self.result()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self._stderr.close()


def main() -> int:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")  # answers on the original stdout ...
    os.dup2(2, 1)  # ... and whatever a library prints goes to stderr
    from . import contracts

    contracts.defer_unused_imports()
    import duckdb

    contracts._build_context()  # the slow part, done before the first request arrives
    if not select.select([sys.stdin], [], [], 0)[0]:  # the build is still running: time to spare
        with contextlib.suppress(Exception):  # only a head start: the validation below does the same again
            contracts.warm_up()
    for line in sys.stdin:
        request = json.loads(line)
        tables = None if request["tables"] is None else set(request["tables"])
        try:
            with duckdb.connect(request["build"], read_only=True) as con:
                outcomes = contracts.run_contracts(con, request["previous"], tables)
            answer = {"outcomes": [asdict(o) for o in outcomes]}
        except Exception as exc:  # reported to the run, which then validates in-process
            answer = {"error": f"{type(exc).__name__}: {str(exc)[:500]}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
