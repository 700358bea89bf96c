"""Release history, pure: which batches are the same release, and how a release's deals extend ``deal_version``.

A release is a set of payloads (sorted SHA-256s) of one source; its id is the first batch that held it, so a
re-import or ``refresh --release`` of kept payloads is the same release again. Releases are ordered by id (the
order they were first loaded). A deal version is valid from one release to another, inclusive: a deal identical
to its open version (same key, same content hash) only extends ``valid_to_release``.
"""

from __future__ import annotations

import hashlib

import polars as pl

# Fields kept per version and compared between releases (API-only and legacy-only ones are null in the other format).
VERSION_FIELDS = [
    "supplier_id",
    "recipient_id",
    "supplier_name",
    "recipient_name",
    "designation",
    "description",
    "armament_category",
    "order_year",
    "order_year_is_estimate",
    "numbers_ordered",
    "numbers_delivered",
    "first_delivery_year",
    "last_delivery_year",
    "status",
    "tiv_unit_new",
    "tiv_unit_deal",
    "tiv_order",
    "tiv_delivered",
    "local_production",
    "comments",
]
VERSION_SCHEMA = {
    "deal_key": pl.Utf8,
    "valid_from_release": pl.Utf8,
    "valid_to_release": pl.Utf8,
    "release_label": pl.Utf8,
    "payload_sha256": pl.Utf8,
    "content_hash": pl.Utf8,
    "source_format": pl.Utf8,
    "supplier_id": pl.Utf8,
    "recipient_id": pl.Utf8,
    "supplier_name": pl.Utf8,
    "recipient_name": pl.Utf8,
    "designation": pl.Utf8,
    "description": pl.Utf8,
    "armament_category": pl.Utf8,
    "order_year": pl.Int32,
    "order_year_is_estimate": pl.Boolean,
    "numbers_ordered": pl.Int64,
    "numbers_delivered": pl.Int64,
    "first_delivery_year": pl.Int32,
    "last_delivery_year": pl.Int32,
    "status": pl.Utf8,
    "tiv_unit_new": pl.Float64,
    "tiv_unit_deal": pl.Float64,
    "tiv_order": pl.Float64,
    "tiv_delivered": pl.Float64,
    "local_production": pl.Boolean,
    "comments": pl.Utf8,
}


def releases(manifest: pl.DataFrame) -> pl.DataFrame:
    """load_manifest rows of one source -> one row per release: release_id, label, sha256s, batches, latest batch."""
    if manifest.height == 0:
        return pl.DataFrame(
            schema={
                "release_id": pl.Utf8,
                "release_label": pl.Utf8,
                "payload_sha256s": pl.List(pl.Utf8),
                "origin": pl.Utf8,
                "batches": pl.List(pl.Utf8),
                "latest_batch": pl.Utf8,
            }
        )
    batches = manifest.group_by("batch_id").agg(
        pl.col("sha256").sort().alias("payload_sha256s"),
        pl.col("source_release").drop_nulls().first().alias("release_label"),
        pl.col("origin").first(),
    )
    batches = batches.with_columns(key=pl.col("payload_sha256s").list.join(","))
    return (
        batches.sort("batch_id")
        .group_by("key", maintain_order=True)
        .agg(
            pl.col("batch_id").first().alias("release_id"),
            pl.col("release_label").drop_nulls().first(),
            pl.col("payload_sha256s").first(),
            pl.col("origin").first(),
            pl.col("batch_id").alias("batches"),
            pl.col("batch_id").last().alias("latest_batch"),
        )
        .drop("key")
        .sort("release_id")
    )


def release_of_batch(rels: pl.DataFrame, batch_id: str) -> str | None:
    hit = rels.filter(pl.col("batches").list.contains(batch_id))
    return hit["release_id"][0] if hit.height else None


def with_content_hash(deals: pl.DataFrame) -> pl.DataFrame:
    """deal rows -> the version columns (deal_key, source_format, fields) plus a hash of the compared fields."""
    frame = deals.rename({"deal_id": "deal_key"}).with_columns(
        pl.lit(None, dtype).alias(c) for c, dtype in VERSION_SCHEMA.items() if c in VERSION_FIELDS and c not in deals
    )
    frame = frame.select(
        "deal_key", "source_format", "payload_sha256", *[pl.col(c).cast(VERSION_SCHEMA[c]) for c in VERSION_FIELDS]
    )
    text = frame.select(
        pl.concat_str(
            [pl.col(c).cast(pl.Utf8).fill_null("\u2205") for c in ["source_format", *VERSION_FIELDS]], separator="|"
        )
    ).to_series()
    digests = [hashlib.sha1(t.encode("utf-8")).hexdigest()[:20] for t in text.to_list()]  # stable across versions
    return frame.with_columns(content_hash=pl.Series(digests, dtype=pl.Utf8))


def advance_versions(
    versions: pl.DataFrame, deals: pl.DataFrame, release_id: str, label: str | None, previous: str | None
) -> pl.DataFrame:
    """The whole deal_version table after release ``release_id`` (newer than every release in it) became current.

    Versions still open at ``previous`` whose deal is unchanged now end at ``release_id``; every other current
    deal starts a new version. Versions of deals not in this release stay closed where they were.
    """
    versions = versions if versions.height else pl.DataFrame(schema=VERSION_SCHEMA)
    current = with_content_hash(deals) if deals.height else pl.DataFrame(schema=VERSION_SCHEMA)
    is_open = pl.col("valid_to_release") == pl.lit(previous) if previous else pl.lit(False)
    keys = current.select("deal_key", "content_hash", _hit=pl.lit(True))
    versions = versions.join(keys, on=["deal_key", "content_hash"], how="left").with_columns(
        valid_to_release=pl.when(is_open & pl.col("_hit").fill_null(False))
        .then(pl.lit(release_id))
        .otherwise("valid_to_release")
    )
    extended = versions.filter(pl.col("valid_to_release") == release_id).select("deal_key", "content_hash")
    new = current.join(extended, on=["deal_key", "content_hash"], how="anti").with_columns(
        valid_from_release=pl.lit(release_id), valid_to_release=pl.lit(release_id), release_label=pl.lit(label)
    )
    return pl.concat(
        [versions.drop("_hit").select(list(VERSION_SCHEMA)), new.select(list(VERSION_SCHEMA))], how="vertical_relaxed"
    ).cast(VERSION_SCHEMA)


def deals_at(versions: pl.DataFrame, release_id: str) -> pl.DataFrame:
    """The deals a release held: versions whose [valid_from, valid_to] covers it (release ids sort in load order)."""
    return versions.filter((pl.col("valid_from_release") <= release_id) & (pl.col("valid_to_release") >= release_id))
