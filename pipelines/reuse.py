"""Reuse a derived table when nothing it is built from has changed (a selective rebuild).

A derived step's *inputs* are: the code and reference files (``noop.fingerprint``), the current batch of each
source whose payloads it reads, the payloads each staging table it reads was staged from, and the content of every
table built by a step upstream of it (row count plus an order-independent sum of row hashes, computed by DuckDB).
Their digest is stored per step in ``step_input`` when the step runs; the next run that finds the same digest and
the step's tables in place keeps those tables instead of rebuilding them (importing a SIPRI register then leaves
treaty, membership and alliance tables alone unless the entities they are built from changed). Every upstream
table counts, not only those a step is thought to read, so an indirect read cannot go stale; staging tables and
payloads count when the step lists their ``stg_``/``raw_`` step as a dependency (``pipelines/steps.py`` says so).
The one exception is a step that declares what it reads of an upstream table (``Step.reads``, a query over it):
then the query's rows are digested instead of the whole table (the treaty, membership, nuclear-status and alliance
steps read only the entity rows that reference files give, so a new SIPRI name does not rebuild them; the entity
step reads only the names in the staging tables, so a register spelling its parties as the last did keeps the
entities). Staging tables live only in a run, so those digests are remembered (``staged_digest``) for the runs that
do not stage the source. ``refresh --force`` rebuilds all.
"""

from __future__ import annotations

import hashlib
import json
import threading

from .plan import Step
from .warehouse import ensure_tables, table_exists

_DIGESTING = threading.Lock()


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


def input_digest(
    con,
    step: Step,
    by_name: dict[str, Step],
    settings,
    known: dict[str, str] | None = None,
    stage=None,
    staged: dict | None = None,
) -> str:
    """Code and reference files; the batch of each source whose payloads the step reads (a ``raw_`` dep); what each
    staging table it reads was staged from, or the rows it declares it reads of one (a ``stg_`` dep: see
    ``staged_digest``, which ``stage`` and ``staged`` are for); the content of every table built upstream of it."""
    from .noop import fingerprint
    from .stages.common import current_batch_ids

    direct = [by_name[d] for d in step.deps]
    reads = dict(step.reads)
    batches = current_batch_ids(con)
    code = fingerprint(settings)
    parts = {
        "step": step.name,
        "code": code,
        "batches": {d.source: batches.get(d.source) for d in direct if d.group == "raw"},
        "staged": {
            source: staged_digest(con, source, reads, code, stage, staged) for source in staged_sources(step, by_name)
        },
        "tables": {
            t: read_digest(con, t, reads[t]) if t in reads else _digest(con, t, known)
            for s in upstream(step, by_name)
            for t in s.tables
        },
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def staged_sources(step: Step, by_name: dict[str, Step]) -> list[str]:
    """The sources whose staging tables the step reads: those of its ``stg_`` dependencies."""
    return [by_name[d].source for d in step.deps if by_name[d].group == "staging" and by_name[d].source]


def staged_digest(
    con, source: str, reads: dict[str, str | None], code: str, stage=None, staged: dict | None = None
) -> str:
    """What a step reads of a source's staging table: what the whole table was staged from, or the digest of the
    rows of its query when the step declares one (``Step.reads``, ``staging.<table>``).

    Staging lives only in a run (``warehouse.attach_staging``) and is a function of the code and the batch's
    payloads (``_staged_from``). So the whole table is digested as what it is staged from, without reading it (at
    10x the register, hashing staging.sipri_trade took 0.05 s of the serial path; at 100x about a second). A query
    (the entity step reads only the names, so a register spelling its parties as the last keeps the entities) is
    digested on its rows when this run staged the source, and noted in ``staged`` (source, query) -> (staged from,
    digest), which the run writes to table ``staged_digest``. When it did not, the digest remembered for the same
    code and payloads stands in, so deciding to keep a step never stages anything; with none remembered (a
    warehouse from before, a new query), ``stage(source)`` stages the payloads again (``ensure_staged``)."""
    from .stages.staging import STAGED_TABLE

    table = STAGED_TABLE[source]
    key = f"staging.{table}"
    if key in reads and reads[key] is None:
        return "not read"
    staged_from = _staged_from(con, source, code)
    if key not in reads:
        return f"staged from {staged_from}"
    query = reads[key]
    if not table_exists(con, table, "staging"):
        remembered = _remembered(con, source, staged_from, query)
        if remembered is not None:
            return remembered
        if stage is not None:
            stage(source)
        if not table_exists(con, table, "staging"):
            return "absent"  # the source was never loaded
    digest = read_digest(con, table, query, "staging")
    if staged is not None:
        staged[(source, query)] = (staged_from, digest)
    return digest


def _staged_from(con, source: str, code: str) -> str:
    """The code fingerprint and the source's current batch's payloads (hash, format, release label): what a source's
    staging table is a function of (its rows carry the release label; a batch is one payload per request)."""
    rows = con.execute(
        "SELECT request_name, sha256, format, source_release FROM load_manifest WHERE batch_id = "
        "(SELECT max(batch_id) FROM load_manifest WHERE source = ?) ORDER BY request_name",
        [source],
    ).fetchall()
    return hashlib.sha256(json.dumps([code, rows], sort_keys=True, default=str).encode()).hexdigest()


def _remembered(con, source: str, staged_from: str, query: str) -> str | None:
    if not table_exists(con, "staged_digest"):
        return None
    row = con.execute(
        "SELECT digest FROM staged_digest WHERE source = ? AND query = ? AND staged_from = ?",
        [source, query, staged_from],
    ).fetchone()
    return row[0] if row else None


def remember_staged(con, digests: dict) -> None:
    """The staged digests this run computed (``staged_digest``): one row per source and query, the latest."""
    ensure_tables(con, "staged_digest")
    for (source, query), (staged_from, digest) in digests.items():
        con.execute("INSERT OR REPLACE INTO staged_digest VALUES (?, ?, ?, ?)", [source, staged_from, query, digest])


def _digest(con, table: str, known: dict[str, str] | None) -> str:
    """``known``: this run's digests so far (a table's entry is dropped when its step runs again)."""
    if known is None:
        return table_digest(con, table)
    with _DIGESTING:  # two steps starting side by side both digest deal and delivery: once, the other waits
        if table not in known:
            known[table] = table_digest(con, table)
        return known[table]


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
