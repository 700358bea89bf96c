"""Entities: every raw name from every staged source resolved into entity ids (one place, one set of rules)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import entities as ent
from ..runs import RunContext
from ..warehouse import connect, replace_table
from .common import staged


def resolve_all(
    names: dict[str, list[str]],
    wikidata_items: pl.DataFrame,
    reference_entities: pl.DataFrame,
    ref_dir: Path | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """names: source -> raw names; wikidata_items: label, iso3. Returns (entities, aliases incl. unresolved)."""
    alias_frames, created = [], [reference_entities]
    for source, raw in names.items():
        if raw:
            a, c = ent.resolve_names(raw, source, ref_dir)
            alias_frames.append(a)
            created.append(c)
    if wikidata_items.height:
        known = reference_entities["entity_id"].implode()
        by_iso = wikidata_items.filter(pl.col("iso3").is_in(known))
        alias_frames.append(
            by_iso.select(
                source=pl.lit("wikidata"), raw_name="label", entity_id="iso3", resolved_by=pl.lit("iso3")
            ).unique("raw_name")
        )
        rest = wikidata_items.filter(~pl.col("label").is_in(by_iso["label"].implode()))
        a, c = ent.resolve_names(rest["label"].to_list(), "wikidata", ref_dir)
        alias_frames.append(a)
        created.append(c)
    aliases = pl.concat(alias_frames) if alias_frames else pl.DataFrame(schema=ent.ALIAS_SCHEMA)
    return pl.concat(created).unique("entity_id", keep="first", maintain_order=True), aliases


# What the step reads of each staging table: names (and Wikidata's ISO codes), nothing else. The step's reuse digest
# covers these rows only (``steps.py``), so a register with the same spellings as the last keeps the entity tables.
NAMES = {
    "sipri_trade": "SELECT supplier AS n FROM staging.sipri_trade UNION SELECT recipient FROM staging.sipri_trade",
    "tiv_value": "SELECT DISTINCT party AS n FROM staging.tiv_value",  # SIPRI's spelling too
    "treaty_action": "SELECT DISTINCT state_name AS n FROM staging.treaty_action",
    "alliance_membership": "SELECT DISTINCT label, iso3 FROM staging.alliance_membership",
}


def build_entities(ctx: RunContext) -> dict:
    with connect(ctx.build_path) as con:
        sipri, tiv, unoda, wd = (staged(con, table, sql) for table, sql in NAMES.items())
        names = {
            "sipri": (sipri["n"].to_list() if sipri.height else []) + (tiv["n"].to_list() if tiv.height else []),
            "unoda": unoda["n"].to_list() if unoda.height else [],
        }
        ref_dir = ctx.settings.reference_dir
        entities, aliases = resolve_all(names, wd, ent.reference_entities(ref_dir), ref_dir)
        unresolved = aliases.filter(pl.col("entity_id").is_null())
        replace_table(con, "entity", entities)
        replace_table(con, "entity_alias", aliases.filter(pl.col("entity_id").is_not_null()))
    return {
        "entities": entities.height,
        "aliases": aliases.height - unresolved.height,
        "unresolved_names": unresolved.height,
        "unresolved": [f"{r['source']}: {r['raw_name']}" for r in unresolved.iter_rows(named=True)][:50],
    }
