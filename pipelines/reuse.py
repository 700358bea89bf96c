"""Reuse a derived table when nothing it is built from has changed (a selective rebuild).

A derived step's *inputs* are: the code and reference files (``noop.fingerprint``), the current batch of each
source whose payloads it reads, the content of each staging table it reads, and the content of every table built
by a step upstream of it (row count plus an order-independent sum of row hashes, computed by DuckDB). Their digest
is stored per step in ``step_input`` when the step runs; the next run that finds the same digest and the step's
tables in place keeps those tables instead of rebuilding them (importing a SIPRI register then leaves treaty,
membership and alliance tables alone unless the entities they are built from changed). Every upstream table
counts, not only those a step is thought to read, so an indirect read cannot go stale; staging tables and payloads
count when the step lists their ``stg_``/``raw_`` step as a dependency (``pipelines/steps.py`` says so). The one
exception is a step that declares what it reads of an upstream table (``Step.reads``, a query over it): then the
query's rows are digested instead of the whole table (the treaty, membership, nuclear-status and alliance steps
read only the entity rows that reference files give, so a new SIPRI name does not rebuild them; the entity step
reads only the names in the staging tables, so a register spelling its parties as the last did keeps the entities).
``refresh --force`` rebuilds all.
"""

from __future__ import annotations

import hashlib
import json

from .plan import Step
from .warehouse import ensure_tables, table_exists


def upstream(step: Step, by_name: dict[str, Step]) -> list[Step]:
    """Every step this one depends on, directly or not."""
    seen: dict[str, Step] = {}
    todo = list(step.deps)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen[name] = by_name[name]
            todo.extend(by_name[name].deps)
    return sorted(seen.values(), key=lambda s: s.name)


def table_digest(con, table: str, schema: str = "main") -> str:
    """Row count and the sum of row hashes: equal for equal contents in any order; one query in DuckDB."""
    if not table_exists(con, table, schema):
        return "absent"
    return _rows_digest(con, f'"{schema}"."{table}"')


def _rows_digest(con, relation: str) -> str:
    count, total = con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {relation} t").fetchone()
    return f"{count}:{total}"


def read_digest(con, table: str, query: str | None, schema: str = "main") -> str:
    """What a step reads of an upstream table (``Step.reads``): the digest of the query's rows, with the query."""
    if query is None:
        return "not read"
    if not table_exists(con, table, schema):
        return "absent"
    return f"{query} -> {_rows_digest(con, f'({query})')}"


def input_digest(con, step: Step, by_name: dict[str, Step], settings, known: dict[str, str] | None = None) -> str:
    """Code and reference files; the batch of each source whose payloads the step reads (a ``raw_`` dep); the
    content of each staging table it reads (a ``stg_`` dep); the content of every table built upstream of it."""
    from .noop import fingerprint
    from .stages.common import current_batch_ids
    from .stages.staging import STAGED_TABLE

    direct = [by_name[d] for d in step.deps]
    reads = dict(step.reads)
    batches = current_batch_ids(con)
    parts = {
        "step": step.name,
        "code": fingerprint(settings),
        "batches": {d.source: batches.get(d.source) for d in direct if d.group == "raw"},
        "staged": {
            d.source: _staged_digest(con, STAGED_TABLE[d.source], reads, known)
            for d in direct
            if d.group == "staging" and d.source
        },
        "tables": {
            t: read_digest(con, t, reads[t]) if t in reads else _digest(con, t, known)
            for s in upstream(step, by_name)
            for t in s.tables
        },
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _staged_digest(con, table: str, reads: dict[str, str | None], known: dict[str, str] | None) -> str:
    """A staging table's content, or what the step reads of it when it says (``Step.reads``, ``staging.<table>``)."""
    if f"staging.{table}" in reads:
        return read_digest(con, table, reads[f"staging.{table}"], "staging")
    return _digest(con, table, known, "staging")


def _digest(con, table: str, known: dict[str, str] | None, schema: str = "main") -> str:
    """``known``: this run's digests so far (a table's entry is dropped when its step runs again; a staging table's
    steps run before any step that reads it, so its entry, computed once for ``entity`` and ``deal`` alike, stands:
    at 100x the register, hashing staging.sipri_trade took about a second each time)."""
    if known is None:
        return table_digest(con, table, schema)
    key = table if schema == "main" else f"{schema}.{table}"
    if key not in known:
        known[key] = table_digest(con, table, schema)
    return known[key]


def reusable(con, step: Step, digest: str) -> str | None:
    """The run that built this step's tables from the same inputs, or None when the step must run."""
    ensure_tables(con, "step_input")
    row = con.execute("SELECT digest, run_id FROM step_input WHERE step = ?", [step.name]).fetchone()
    if row is None or row[0] != digest or not all(table_exists(con, t) for t in step.tables):
        return None
    return row[1]


def remember(con, step: Step, digest: str, run_id: str) -> None:
    ensure_tables(con, "step_input")
    con.execute("INSERT OR REPLACE INTO step_input VALUES (?, ?, ?, now())", [step.name, digest, run_id])
