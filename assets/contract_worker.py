"""The data contracts of a Dagster run in one long-lived child process (no Dagster imported in it).

The CLI's ``pipelines.contract_worker`` answers one request, after the whole build. A Dagster run evaluates the
contracts in several ops, one per level of the graph (a blocking check must pass before the assets downstream of
its asset run, so Dagster splits the ``data_contracts`` multi-asset check), so this worker answers one request per
line until its stdin closes. It starts with the run and imports Great Expectations (~3 s of one core) on the other
core while the first steps build, instead of in the run's process where it competed with the steps for the GIL.

Each request is one JSON line: the build file, the tables to validate and the previous row counts. The worker
opens the build read-only (the in-process executor runs one op at a time, so the run has it closed), validates,
and answers one JSON line: ``{"outcomes": [...]}`` or ``{"error": "..."}``. The resource validates in-process
instead whenever the worker fails, so contracts never go unchecked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from pipelines.checks import Outcome


class ContractWorker:
    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assets.contract_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def validate(self, build: Path, tables: set[str], previous: dict[str, int]) -> list[Outcome]:
        """Outcomes from the child; raises RuntimeError (with its stderr or its error) if it did not answer."""
        request = {"build": str(build), "tables": sorted(tables), "previous": previous}
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except OSError as exc:  # a broken pipe: the child is gone
            line, broken = "", exc
        else:
            broken = None
        if not line.strip():
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self._stderr.seek(0)
            err = self._stderr.read().strip()[-500:] or str(broken or "")
            self.close()
            raise RuntimeError(f"contract worker exited {self.proc.returncode}: {err}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return [Outcome(**o) for o in answer["outcomes"]]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._stderr.close()


def main() -> int:
    # Answers go to the original stdout; anything a library prints goes to stderr and cannot garble them.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    from pipelines import contracts

    contracts.defer_unused_imports()  # GX's unused scipy.stats: about a third of its import (~1 s here)
    import duckdb

    contracts._build_context()  # the slow part, done before the first request arrives
    for line in sys.stdin:
        request = json.loads(line)
        try:
            with duckdb.connect(request["build"], read_only=True) as con:
                outcomes = contracts.run_contracts(con, request["previous"], set(request["tables"]))
            answer = {"outcomes": [asdict(o) for o in outcomes]}
        except Exception as exc:  # reported to the run, which then validates in-process
            answer = {"error": f"{type(exc).__name__}: {str(exc)[:500]}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
