"""The flow, declared once. Both executors (the CLI runner and the Dagster assets in ``assets/``) order these
steps with ``pipelines.plan`` and run them with ``pipelines.runner.execute_step``.

raw (per source) -> staging (per source) -> entity -> deal | treaty_action -> membership -> nuclear_status -> marts

A step that reads a staging table lists that ``stg_`` step among its own deps (not only through ``entity``); one
that reads a source's payloads or writes its row counts and quarantine lists its ``raw_`` step: ``pipelines.reuse``
digests the content of those staging tables, the batch of those sources and every upstream table.
"""

from __future__ import annotations

from .config import SOURCES
from .plan import Step
from .stages.alliances import build_alliances
from .stages.common import aliases_sql
from .stages.deals import build_deals
from .stages.entity import NAMES as ENTITY_NAMES
from .stages.entity import build_entities
from .stages.history import build_history
from .stages.marts import mart_step
from .stages.memberships import build_membership, build_nuclear_status
from .stages.raw import raw_step
from .stages.staging import stage_step
from .stages.tiv import build_tiv_table
from .stages.treaties import build_treaties

MARTS = {
    "mart_transfer_enriched": "each deal with both parties' alliance, treaty and nuclear status as of the order year",
    "mart_country_year": "entity x year: TIV imported and exported, memberships, nuclear status",
    "mart_dyad_year": "supplier x recipient x year: TIV, shared alliances, both statuses",
}

MART_DEPS = {
    "mart_country_year": ("deal", "nuclear_status", "tiv_country_year"),
    "mart_transfer_enriched": ("deal", "nuclear_status", "alliance"),
    "mart_dyad_year": ("deal", "nuclear_status", "alliance"),
}
FILE_SOURCES = ("atop", "cow")  # landed raw, then parsed and linked together by the alliance step

# What the treaty, membership, nuclear-status and alliance steps read of the entity tables (``Step.reads``: their
# reuse digest covers these rows, not the whole tables). Names from SIPRI only add 'sipri' aliases and entities made
# by its suffix rule (armed groups, organisations, unknowns: no dates, COW code or sovereign, and never in place of
# a reference row), none of which these queries select, so importing a register keeps these steps' tables. Keep
# each query in step with the code it describes: a step reading more than its query selects could be kept stale.
UNODA_ALIASES = aliases_sql("unoda")  # the query source_aliases runs for the treaty step
WIKIDATA_ALIASES = aliases_sql("wikidata")  # ... and for the membership step
ENDED_ENTITIES = "SELECT entity_id, valid_to FROM entity WHERE valid_to IS NOT NULL"  # membership.treaty_intervals
STATES_AND_TERRITORIES = (  # membership.nuclear_status and _territories_follow
    "SELECT entity_id, kind, valid_from, valid_to, sovereign_id FROM entity "
    "WHERE kind IN ('state', 'former_state') OR (kind = 'dependent_territory' AND sovereign_id IS NOT NULL)"
)
COW_CODED = "SELECT entity_id, cow_code, valid_from, valid_to FROM entity WHERE cow_code IS NOT NULL"  # cow_windows

STEPS: list[Step] = [
    *(
        Step(
            f"raw_{s}",
            "raw",
            (),
            raw_step(s),
            f"{s} payloads fetched (live), replayed (recorded) or imported, kept as received",
            source=s,
            kinds=("python",),
        )
        for s in SOURCES
    ),
    *(
        Step(
            f"stg_{s}",
            "staging",
            (f"raw_{s}",),
            stage_step(s),
            f"{s} payloads parsed; unreadable rows quarantined",
            source=s,
            kinds=("polars", "duckdb"),
        )
        for s in SOURCES
        if s not in FILE_SOURCES
    ),
    Step(
        "entity",
        "staging",
        tuple(f"stg_{s}" for s in SOURCES if s not in FILE_SOURCES),
        build_entities,
        "every raw name resolved to one entity (states, former states, armed groups, organisations)",
        kinds=("polars", "duckdb"),
        tables=("entity", "entity_alias"),
        reads=tuple((f"staging.{table}", sql) for table, sql in ENTITY_NAMES.items()),
    ),
    Step(
        "deal",
        "warehouse",
        ("entity", "stg_sipri", "raw_sipri"),
        build_deals,
        "SIPRI deals and their deliveries per year",
        kinds=("polars", "duckdb"),
        tables=("deal", "delivery"),
    ),
    Step(
        "deal_history",
        "warehouse",
        ("deal", "raw_sipri"),
        build_history,
        "SIPRI release history: deal versions kept per release, the diff of the two newest releases",
        kinds=("polars", "duckdb"),
        tables=("deal_version", "data_release", "release_diff"),
    ),
    Step(
        "treaty_action",
        "warehouse",
        ("entity", "stg_unoda", "raw_unoda"),
        build_treaties,
        "treaties and UNODA treaty actions",
        kinds=("polars", "duckdb"),
        tables=("treaty", "organisation", "treaty_action"),
        reads=(("entity", None), ("entity_alias", UNODA_ALIASES)),
    ),
    Step(
        "membership",
        "warehouse",
        ("treaty_action", "stg_wikidata", "raw_wikidata"),
        build_membership,
        "treaty and alliance membership intervals; Wikidata reconciled against curated facts",
        kinds=("polars", "duckdb"),
        tables=("membership", "reconciliation", "wikidata_membership"),
        reads=(("entity", ENDED_ENTITIES), ("entity_alias", WIKIDATA_ALIASES)),
    ),
    Step(
        "nuclear_status",
        "warehouse",
        ("membership",),
        build_nuclear_status,
        "nuclear status intervals derived from NPT membership and curated facts",
        kinds=("polars", "duckdb"),
        tables=("nuclear_status",),
        reads=(("entity", STATES_AND_TERRITORIES), ("entity_alias", None)),
    ),
    Step(
        "alliance",
        "warehouse",
        ("entity", *(f"raw_{s}" for s in FILE_SOURCES)),
        build_alliances,
        "ATOP and COW alliances and member spells linked to entities by COW code; reconciled with curated facts",
        kinds=("polars", "duckdb"),
        tables=("alliance", "alliance_member", "alliance_reconciliation", "alliance_unresolved"),
        reads=(("entity", COW_CODED), ("entity_alias", None)),
    ),
    Step(
        "tiv_country_year",
        "warehouse",
        ("entity", "stg_sipri_tiv", "raw_sipri_tiv"),
        build_tiv_table,
        "SIPRI's TIV tables: per-year TIV by party (bundled subset unless a table was imported)",
        kinds=("polars", "duckdb"),
        tables=("tiv_country_year",),
    ),
    *(
        Step(name, "marts", MART_DEPS.get(name, ("deal", "nuclear_status")), mart_step(name), text, tables=(name,))
        for name, text in MARTS.items()
    ),
]
STEP_BY_NAME = {s.name: s for s in STEPS}
