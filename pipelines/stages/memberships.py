"""Memberships: treaty intervals from actions, alliance intervals from curated facts, Wikidata reconciled;
nuclear status derived from NPT membership. The interval logic itself is in ``pipelines.membership``."""

from __future__ import annotations

import polars as pl

from .. import membership as mem
from ..runs import RunContext
from ..sources import wikidata
from ..warehouse import connect, replace_table, run_sql_file, table_frame
from .common import (
    dated,
    quarantine,
    record_loaded,
    reference,
    resolve_column,
    source_aliases,
    split_unresolved,
    staged,
)


def wikidata_claims(staged: pl.DataFrame, orgs: pl.DataFrame, aliases: pl.DataFrame):
    """Staged Wikidata statements -> (claims with org and entity ids, quarantine of unresolved items)."""
    if staged.height == 0:
        staged = pl.DataFrame(schema=wikidata.MEMBER_SCHEMA)
    staged = staged.join(orgs.select(org_key="source_key", org_id="org_id"), on="org_key", how="left")
    staged = resolve_column(aliases, staged, "label", "entity_id").with_columns(
        raw_text=pl.struct("org_key", "qid", "label", "iso3", "start_date", "end_date").struct.json_encode()
    )
    return split_unresolved(staged, "wikidata", [("item", "label", "entity_id")], line_col="record_no")


def uncurated_intervals(claims: pl.DataFrame, curated_orgs: set[str]) -> pl.DataFrame:
    """Wikidata intervals for organisations without curated facts (curated facts win where they exist)."""
    return (
        claims.filter(~pl.col("org_id").is_in(list(curated_orgs)))
        .select(
            "org_id",
            "entity_id",
            role=pl.lit("member"),
            start_date="start_date",
            end_date="end_date",
            opened_by=pl.lit("accession"),
            closed_by=pl.when(pl.col("end_date").is_not_null()).then(pl.lit("withdrawal")),
            source=pl.lit("wikidata"),
        )
        .filter(pl.col("start_date").is_not_null())
        .cast(mem.MEMBERSHIP_SCHEMA)
    )


def build_membership(ctx: RunContext) -> dict:
    s = ctx.settings
    orgs = reference(s, "organisations.csv")
    curated = dated(reference(s, "alliance_membership.csv"), "start_date", "end_date")
    treaties = dated(reference(s, "treaties.csv"), "opened", "entry_into_force")
    successions = dated(reference(s, "successions.csv"), "date")
    with connect(ctx.build_path) as con:
        actions = table_frame(con, "SELECT * FROM treaty_action")
        entities = table_frame(con, "SELECT * FROM entity")
        claims, q = wikidata_claims(
            staged(con, "alliance_membership", "SELECT * FROM staging.alliance_membership"),
            orgs,
            source_aliases(con, "wikidata"),
        )
        membership = pl.concat(
            [
                mem.treaty_intervals(actions, treaties, entities, successions),
                mem.alliance_intervals(curated),
                uncurated_intervals(claims, set(curated["org_id"])),
            ]
        )
        recon = mem.reconcile(
            curated.select("org_id", "entity_id", "start_date", "end_date"),
            claims.select("org_id", "entity_id", "start_date", "end_date"),
        )
        replace_table(con, "membership", membership)
        replace_table(con, "reconciliation", recon)
        run_sql_file(con, "marts/treaty_coverage.sql")  # view: loaded vs the depositary's counts per treaty
        replace_table(
            con,
            "wikidata_membership",
            claims.select("org_id", "entity_id", "qid", "label", "start_date", "end_date", "payload_sha256"),
        )
        quarantine(con, "wikidata", "resolve", q)
        record_loaded(con, "wikidata", claims.group_by("payload_sha256").len("rows_loaded"))
    return {"memberships": membership.height, "reconciliation_issues": recon.height, "quarantined": q.height}


def build_nuclear_status(ctx: RunContext) -> dict:
    facts = dated(reference(ctx.settings, "nuclear_facts.csv"), "since")
    with connect(ctx.build_path) as con:
        status = mem.nuclear_status(
            table_frame(con, "SELECT * FROM membership"), facts, table_frame(con, "SELECT * FROM entity")
        )
        replace_table(con, "nuclear_status", status)
    return {"intervals": status.height}
