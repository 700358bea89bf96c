"""ATOP/COW files -> the frames of the alliance tables, with per-file counts that reconcile.

Pure: (name, bytes) pairs, the entity table and the curated alliance facts in; frames out. The pipeline step that
lands the raw files and writes the tables is a thin wrapper (flow.build_alliances).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from . import alliances as al
from .sources import atop, cow
from .sources.text_table import QUARANTINE_SCHEMA

COUNT_SCHEMA = {
    "source": pl.Utf8,
    "file": pl.Utf8,
    "payload_sha256": pl.Utf8,
    "rows_in": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_quarantined": pl.Int64,
}


@dataclass
class AllianceTables:
    alliance: pl.DataFrame
    alliance_member: pl.DataFrame
    alliance_reconciliation: pl.DataFrame
    unresolved: pl.DataFrame
    quarantine: pl.DataFrame
    counts: pl.DataFrame


def detect(name: str, data: bytes) -> str:
    """'atop' or 'cow' for a file given to import-alliances, by its name or (for a zip) its members."""
    low = name.lower().rsplit("/", 1)[-1]
    if low.startswith("atop") or "atop" in low:
        return "atop"
    if "alliance_v" in low or "version4" in low or low.startswith("cow"):
        return "cow"
    head = data[:4000].decode("latin-1").lower()
    if "atopid" in head or "atop" in head:
        return "atop"
    if "version4id" in head or "alliance_v" in head:
        return "cow"
    raise ValueError(
        f"{name}: neither an ATOP nor a COW Formal Alliances file (expected atop*_*m/a.csv, "
        "alliance_v4.1_by_member.csv or their release zips)"
    )


def build(files: list[tuple[str, bytes]], entities: pl.DataFrame, curated: pl.DataFrame) -> AllianceTables:
    alliances, members, quarantine, counts = [], [], [], []
    for name, data in files:
        source = detect(name, data)
        a, m, q = (atop if source == "atop" else cow).parse([(name, data)])
        sha = hashlib.sha256(data).hexdigest()
        q = q.with_columns(payload_sha256=pl.lit(sha))
        alliances.append(a)
        members.append(m)
        quarantine.append(q)
        rows_loaded = a.height + m.height if source == "atop" else m.height
        counts.append((source, name, sha, rows_loaded + q.height, rows_loaded, q.height))
    alliance = pl.concat(alliances) if alliances else pl.DataFrame(schema=atop.alliance_schema())
    member = pl.concat(members) if members else pl.DataFrame(schema=atop.member_schema())
    linked, unresolved = al.link_members(member, entities)
    recon = al.reconcile_alliances(curated.select("org_id", "entity_id", "start_date", "end_date"), linked)
    return AllianceTables(
        alliance=al.name_alliances(alliance.unique(["dataset", "alliance_id"], keep="first", maintain_order=True)),
        alliance_member=linked,
        alliance_reconciliation=recon,
        unresolved=unresolved,
        quarantine=pl.concat(quarantine) if quarantine else pl.DataFrame(schema=QUARANTINE_SCHEMA),
        counts=pl.DataFrame(counts, schema=COUNT_SCHEMA, orient="row"),
    )
