"""Treaties: the curated treaty and organisation lists, and UNODA's actions resolved to entities."""

from __future__ import annotations

import polars as pl

from ..attribution import attribute
from ..runs import RunContext
from ..warehouse import connect, replace_table, table_frame
from .common import dated, quarantine, record_loaded, reference, resolve_column, source_aliases, split_unresolved

ACTION_KEY = ["treaty_id", "entity_id", "action", "depositary", "action_date"]


def treaty_actions(
    staged: pl.DataFrame, treaties: pl.DataFrame, aliases: pl.DataFrame, attributions: pl.DataFrame | None = None
):
    """Staged UNODA rows -> (treaty_action rows, quarantine); a repeated record is quarantined, not loaded twice."""
    staged = staged.join(
        treaties.select("treaty_id", treaty_short_name="unoda_short_name"), on="treaty_short_name", how="left"
    )
    staged = resolve_column(aliases, staged, "state_name", "entity_id").with_columns(
        raw_text=pl.struct(
            "treaty_short_name", "state_name", "action", "action_date", "depositary"
        ).struct.json_encode()
    )
    actions, q = split_unresolved(staged, "unoda", [("state", "state_name", "entity_id")], line_col="record_no")
    if attributions is not None:  # e.g. UNODA's one "Yemen" split into North and South Yemen by depositary
        actions = attribute(actions, attributions)
    first = pl.struct(ACTION_KEY).is_first_distinct()
    dup = actions.filter(~first)
    q = pl.concat(
        [
            q,
            dup.select(
                source=pl.lit("unoda"),
                payload_sha256="payload_sha256",
                line_no="record_no",
                raw_text="raw_text",
                reason=pl.lit("duplicate of an earlier record"),
            ),
        ]
    )
    return actions.filter(first).with_columns(source=pl.lit("unoda")), q


def build_treaties(ctx: RunContext) -> dict:
    treaties = dated(reference(ctx.settings, "treaties.csv"), "opened", "entry_into_force")
    orgs = dated(reference(ctx.settings, "organisations.csv"), "founded", "dissolved")
    with connect(ctx.build_path) as con:
        replace_table(con, "treaty", treaties)
        replace_table(con, "organisation", orgs.drop("source_key"))
        staged = table_frame(con, "SELECT * FROM staging.treaty_action")
        attributions = dated(reference(ctx.settings, "treaty_action_attribution.csv"), "action_date")
        actions, q = treaty_actions(staged, treaties, source_aliases(con, "unoda"), attributions)
        replace_table(
            con,
            "treaty_action",
            actions.select("treaty_id", "entity_id", "action", "action_date", "depositary", "state_name", "source"),
        )
        quarantine(con, "unoda", "resolve", q)
        record_loaded(con, "unoda", actions.group_by("payload_sha256").len("rows_loaded"))
    return {"treaties": treaties.height, "treaty_actions": actions.height, "quarantined": q.height}
