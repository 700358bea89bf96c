"""Second-process helpers for the DuckLake tests: run as ``python -m tests.lake_proc <command> <json args>``.

query:   run SQL statements on readers (latest, at a snapshot, as of a time) and print the rows as JSON.
watch:   until a stop file appears, read three table counts in one statement, print every distinct tuple seen.
publish: publish a build file, print {"snapshot": n} or {"error": message}.
serve:   answer one JSON request per stdin line ({"command": ..., "args": ...}, any command above but serve and
         watch) with one JSON line on stdout, until stdin closes: one reader process for a whole test module, every
         request on fresh connections, as a separate process would make them.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pipelines.errors import ArmsflowError
from pipelines.targets.ducklake import connect_reader, publish_to_ducklake

WATCH_SQL = (
    "SELECT (SELECT count(*) FROM deal), (SELECT count(*) FROM delivery), (SELECT count(*) FROM mart_transfer_enriched)"
)


def main(command: str, args: dict) -> dict:
    if command == "query":  # one result list per view: {} (latest), {"at_snapshot": n} or {"as_of": ts}
        results = []
        for view in args["views"]:
            con = connect_reader(args["uri"], **view)
            results.append([con.execute(sql).fetchall() for sql in args["sql"]])
            con.close()
        return {"rows": results}
    if command == "watch":
        con = connect_reader(args["uri"])
        Path(args["ready"]).touch()
        seen: dict[str, int] = {}
        while not Path(args["stop"]).exists():
            key = json.dumps(con.execute(WATCH_SQL).fetchone())
            seen[key] = seen.get(key, 0) + 1
            time.sleep(0.01)
        return {"seen": seen}
    if command == "publish":
        try:
            snapshot = publish_to_ducklake(
                args["build"], args["uri"], args["data_path"], args["run_id"], {}, args["tables"]
            )
        except ArmsflowError as exc:
            return {"error": str(exc)}
        return {"snapshot": snapshot}
    raise SystemExit(f"unknown command {command}")


def serve() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = main(request["command"], request["args"])
        except Exception as exc:  # reported to the test, which fails on it; the process keeps serving
            answer = {"exception": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer, default=str), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve()
    else:
        print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2])), default=str))
