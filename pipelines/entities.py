"""Entities and name resolution: every sender, recipient, treaty party and alliance member gets one id.

Ids: ISO 3166-1 alpha-3 for current states (pycountry), ISO 3166-3 or a documented code for former states,
``ORG:…`` for organisations, ``NSA:<slug>`` for non-state armed groups, ``UNKNOWN:…`` for SIPRI's unknowns.
Curated facts (``data_contracts/reference/entities.csv``, ``aliases.csv``) win over library guesses.

Resolution order for a raw name: source alias -> exact name (accent- and case-folded) -> SIPRI suffix rule
(``*`` armed group, ``**`` organisation) -> countrycode's regexes (the R package's, maintained for political
science) -> unresolved, which the caller quarantines. Each answer records how it was reached.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import polars as pl

from .config import reference_dir

ENTITY_SCHEMA = {
    "entity_id": pl.Utf8,
    "name": pl.Utf8,
    "kind": pl.Utf8,
    "iso3": pl.Utf8,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "successor_id": pl.Utf8,
    "cow_code": pl.Int64,
    "notes": pl.Utf8,
    "sovereign_id": pl.Utf8,
}
ALIAS_SCHEMA = {"source": pl.Utf8, "raw_name": pl.Utf8, "entity_id": pl.Utf8, "resolved_by": pl.Utf8}
KINDS = ("state", "former_state", "dependent_territory", "armed_group", "organisation", "unknown")


def fold(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Türkiye' and 'Turkiye' meet."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def _read_reference(name: str, ref_dir: Path | None = None) -> pl.DataFrame:
    return pl.read_csv((ref_dir or reference_dir()) / name, infer_schema_length=0)


def reference_entities(ref_dir: Path | None = None) -> pl.DataFrame:
    """The curated and library entities; ``ref_dir`` is Settings.reference_dir (the environment's by default)."""
    return _reference_entities(ref_dir or reference_dir())


@lru_cache(maxsize=4)
def _reference_entities(ref_dir: Path) -> pl.DataFrame:
    """Current states from pycountry and COW codes from countrycode, overlaid by curated rows."""
    import countrycode
    import pycountry

    states = [(c.alpha_3, getattr(c, "common_name", None) or c.name) for c in pycountry.countries]
    # custom_dict: the table the module loaded on import (by default each call loads it again, about 0.05 s)
    cow = countrycode.countrycode(
        [s[0] for s in states], origin="iso3c", destination="cown", custom_dict=countrycode.codelist
    )
    iso = pl.DataFrame(
        {
            "entity_id": [s[0] for s in states],
            "name": [s[1] for s in states],
            "cow_code": [int(c) if c is not None else None for c in cow],
        },
        schema={"entity_id": pl.Utf8, "name": pl.Utf8, "cow_code": pl.Int64},
    )
    iso = iso.with_columns(
        kind=pl.lit("state"),
        iso3=pl.col("entity_id"),
        valid_from=pl.lit(None, pl.Date),
        valid_to=pl.lit(None, pl.Date),
        successor_id=pl.lit(None, pl.Utf8),
        notes=pl.lit(None, pl.Utf8),
        sovereign_id=pl.lit(None, pl.Utf8),
    )
    curated = _read_reference("entities.csv", ref_dir).with_columns(
        pl.lit(None, pl.Utf8).alias("sovereign_id"),
        pl.col("valid_from").str.to_date(),
        pl.col("valid_to").str.to_date(),
        pl.col("cow_code").cast(pl.Int64),
        iso3=pl.when((pl.col("kind") == "state") & pl.col("entity_id").str.contains(r"^[A-Z]{3}$")).then(
            pl.col("entity_id")
        ),
    )
    # Curated rows override the library's; the library's name is kept where the curated one is a SIPRI spelling.
    merged = pl.concat(
        [
            curated.select(list(ENTITY_SCHEMA)),
            iso.filter(~pl.col("entity_id").is_in(curated["entity_id"].implode())).select(list(ENTITY_SCHEMA)),
        ]
    )
    lib_names = dict(zip(iso["entity_id"], iso["name"], strict=False))
    merged = merged.with_columns(pl.col("entity_id").replace_strict(lib_names, default=pl.col("name")).alias("name"))
    return _with_sovereigns(merged, _read_reference("dependent_territories.csv", ref_dir))


def _with_sovereigns(entities: pl.DataFrame, territories: pl.DataFrame) -> pl.DataFrame:
    """ISO codes of dependent territories (Guam, Greenland, Antarctica...) are no states: kind and sovereign."""
    sovereign = {r["entity_id"]: r["sovereign_id"] or None for r in territories.iter_rows(named=True)}
    is_territory = pl.col("entity_id").is_in(list(sovereign))
    return entities.with_columns(
        kind=pl.when(is_territory).then(pl.lit("dependent_territory")).otherwise(pl.col("kind")),
        iso3=pl.when(is_territory).then(pl.col("entity_id")).otherwise(pl.col("iso3")),
        sovereign_id=pl.col("entity_id").replace_strict(
            sovereign, default=pl.col("sovereign_id"), return_dtype=pl.Utf8
        ),
    )


@lru_cache(maxsize=4)
def _name_index(ref_dir: Path) -> dict[str, str]:
    import pycountry

    index: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if getattr(c, attr, None):
                index.setdefault(fold(getattr(c, attr)), c.alpha_3)
    for row in _read_reference("entities.csv", ref_dir).iter_rows(named=True):
        index[fold(row["name"])] = row["entity_id"]
    return index


@lru_cache(maxsize=4)
def _aliases(ref_dir: Path) -> dict[tuple[str, str], str]:
    return {
        (r["source"], r["raw_name"]): r["entity_id"]
        for r in _read_reference("aliases.csv", ref_dir).iter_rows(named=True)
    }


def classify_by_suffix(raw: str) -> tuple[str, str, str] | None:
    """SIPRI marks non-state armed groups with '*' and organisations with '**': (id, kind, name)."""
    if raw.endswith("**"):
        name = raw[:-2].strip()
        return f"ORG:{slug(name).upper()}", "organisation", name
    if raw.endswith("*"):
        name = raw[:-1].strip()
        return f"NSA:{slug(name)}", "armed_group", name
    if raw.lower().startswith("unknown"):
        return f"UNKNOWN:{slug(raw).upper()}", "unknown", raw
    return None


def resolve_names(names: list[str], source: str, ref_dir: Path | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Resolve distinct raw names. Returns (alias rows, entities created by rule); unresolved get entity_id null."""
    import countrycode

    ref_dir = ref_dir or reference_dir()
    known = set(reference_entities(ref_dir)["entity_id"])
    aliases, index = _aliases(ref_dir), _name_index(ref_dir)
    rows, created = [], {}
    pending = []
    for raw in sorted(set(n for n in names if n is not None)):
        entity = aliases.get((source, raw)) or aliases.get(("*", raw))
        how = "alias" if entity else None
        if not entity and fold(raw) in index:
            entity, how = index[fold(raw)], "name"
        if not entity and (rule := classify_by_suffix(raw)):
            entity, how = rule[0], "suffix-rule"
            if entity not in known:
                created[entity] = rule
        if entity:
            rows.append((source, raw, entity, how))
        else:
            pending.append(raw)
    if pending:
        guesses = countrycode.countrycode(
            pending, origin="country.name", destination="iso3c", custom_dict=countrycode.codelist
        )  # the table loaded on import, not loaded again
        for raw, iso3 in zip(pending, guesses, strict=False):
            ok = iso3 in known
            rows.append((source, raw, iso3 if ok else None, "countrycode-regex" if ok else None))
    alias_frame = pl.DataFrame(rows, schema=ALIAS_SCHEMA, orient="row")
    new_entities = pl.DataFrame(
        [
            {
                "entity_id": eid,
                "name": name,
                "kind": kind,
                "iso3": None,
                "valid_from": None,
                "valid_to": None,
                "successor_id": None,
                "cow_code": None,
                "notes": f"classified by {source} name suffix rule",
                "sovereign_id": None,
            }
            for eid, (_, kind, name) in created.items()
        ],
        schema=ENTITY_SCHEMA,
    )
    return alias_frame, new_entities
