"""Release history, pure: which batches are the same release, and how a release's deals extend ``deal_version``.

A release is a set of payloads (sorted SHA-256s) of one source; its id is the first batch that held it, so a
re-import or ``refresh --release`` of kept payloads is the same release again. Releases are ordered by id (the
order they were first loaded). A deal version is valid from one release to another, inclusive: a deal identical
to its open version (same key, same content hash) only extends ``valid_to_release``.

The work runs inside DuckDB (``advance_versions_sql``, ``migrate_content_hashes``): no table is copied into Python,
so the step's memory is DuckDB's, capped by ``warehouse.connect``. The frame functions (``with_content_hash``,
``advance_versions``) run the same SQL on an in-memory DuckDB, for tests and small callers.
"""

from __future__ import annotations

import duckdb
import polars as pl

from .warehouse import append_frame, ensure_tables, frame_of, register_frame, sql_text, transaction

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


SQL_TYPES = {pl.Utf8: "VARCHAR", pl.Int32: "INTEGER", pl.Int64: "BIGINT", pl.Float64: "DOUBLE", pl.Boolean: "BOOLEAN"}


def content_hash_scheme() -> str:
    """What ``content_hash_sql`` computes under this DuckDB: ``hash()``, whose values may change between versions."""
    return f"duckdb {duckdb.__version__} hash()"


def content_hash_sql(alias: str = "") -> str:
    """The SQL expression of a version's content hash: DuckDB's ``hash()`` of source_format and the compared fields,
    each cast to the type deal_version declares for it, as text (NULL and '' hash apart, and the fields in order).

    64 bits, hashed from the values where they are: the md5 of each field rendered as text (so that the hash
    outlived DuckDB upgrades) cost 0.49-0.75 CPU-s per 10x register, most of recording a new release; ``hash()``
    costs 0.06. Its values may change between DuckDB versions, so the warehouse records the scheme its stored
    hashes follow (``deal_version_hash``) and a run under another rehashes them first (``migrate_content_hashes``).
    Two different versions of one deal hashing alike (odds about 2^-64) would be taken for one."""
    prefix = f"{alias}." if alias else ""
    columns = ["source_format", *VERSION_FIELDS]
    fields = ", ".join(f"CAST({prefix}{c} AS {SQL_TYPES[VERSION_SCHEMA[c]]})" for c in columns)
    return f"CAST(hash({fields}) AS VARCHAR)"


def _fields_sql(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{c}" for c in VERSION_FIELDS)


def migrate_content_hashes(con: duckdb.DuckDBPyConnection) -> int:
    """Rehash every stored version with ``content_hash_sql`` unless ``deal_version_hash`` names this DuckDB's scheme
    (a home written under another DuckDB version, or by armsflow before this scheme: md5 or polars hashes, no such
    table), from the fields deal_version keeps, so that unchanged deals stay unchanged across the upgrade. Returns
    the rows rehashed (0 when the scheme is current: one read of a one-row table)."""
    ensure_tables(con, "deal_version_hash")
    scheme = content_hash_scheme()
    if con.execute("SELECT any_value(scheme) FROM deal_version_hash").fetchone()[0] == scheme:
        return 0
    with transaction(con):
        rows = con.execute(f"UPDATE deal_version SET content_hash = {content_hash_sql()}").fetchone()[0]
        con.execute("DELETE FROM deal_version_hash")
        con.execute("INSERT INTO deal_version_hash VALUES (?, now())", [scheme])
    return rows


def unkey_versions(con: duckdb.DuckDBPyConnection) -> int:
    """One-time: a deal_version created with ``PRIMARY KEY (deal_key, valid_from_release)`` is rebuilt without it
    (DuckDB cannot drop a key in place); returns the rows carried over (0 once done).

    The key is unique as built: a release's new versions all start at that release, which no stored version does
    (a release is recorded once, ``build_history``), one per deal, and deal keys are unique (``stages.deals``). The
    index cost more than anything else in recording a large release: at 100x the register (2.95 million deals),
    13.3 s with it against 6.5 s without, on a table whose every insert was a new random key."""
    keyed = con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = 'deal_version' AND constraint_type = 'PRIMARY KEY'"
    ).fetchone()[0]
    if not keyed:
        return 0
    with transaction(con):
        con.execute("ALTER TABLE deal_version RENAME TO _deal_version_keyed")
        con.execute(sql_text("tables/deal_version.sql"))
        rows = con.execute("INSERT INTO deal_version BY NAME SELECT * FROM _deal_version_keyed").fetchone()[0]
        con.execute("DROP TABLE _deal_version_keyed")
    return rows


def advance_versions_sql(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    label: str | None,
    previous: str | None,
    deals: str = "deal",
) -> int:
    """Record release ``release_id`` (newer than every release in deal_version) from the ``deals`` relation, in place.

    Versions still open at ``previous`` whose deal is unchanged (same key, same content hash) now end at
    ``release_id`` (an UPDATE); every other current deal starts a new version (an INSERT). Versions of deals not in
    this release stay closed where they were. Returns the number of new versions.

    Each deal is hashed where it is needed, in the statement that needs it: the UPDATE hashes only the deals whose
    key has a version open at ``previous``; the INSERT only the deals it writes (after the UPDATE, a deal whose key
    has a version ending at ``release_id`` is that version, unchanged). Before, every deal's key and hash went into a
    temp table that the INSERT joined back to ``deals`` for the fields (10x register, first release: 2.5 CPU-s)."""
    if previous is not None:
        con.execute(
            f"UPDATE deal_version AS v SET valid_to_release = $release FROM (SELECT deal_id, {content_hash_sql()} "
            f"AS content_hash FROM {deals} SEMI JOIN (SELECT deal_key FROM deal_version "
            "WHERE valid_to_release = $previous) AS o ON deal_id = o.deal_key) AS c "
            "WHERE v.valid_to_release = $previous AND v.deal_key = c.deal_id AND v.content_hash = c.content_hash",
            {"release": release_id, "previous": previous},
        )
    return con.execute(
        f"INSERT INTO deal_version (deal_key, valid_from_release, valid_to_release, release_label, payload_sha256, "
        f"content_hash, source_format, {_fields_sql()}) "
        f"SELECT d.deal_id, $release, $release, $label, d.payload_sha256, {content_hash_sql('d')}, d.source_format, "
        f"{_fields_sql('d')} FROM {deals} AS d "
        "ANTI JOIN (SELECT deal_key FROM deal_version WHERE valid_to_release = $release) AS e "
        "ON d.deal_id = e.deal_key",
        {"release": release_id, "label": label},
    ).fetchone()[0]


def versions_at_sql(release_param: str = "$release") -> str:
    """deal_version rows a release held: versions whose [valid_from, valid_to] covers it."""
    return (
        f"SELECT * FROM deal_version WHERE valid_from_release <= {release_param} "
        f"AND valid_to_release >= {release_param}"
    )


def deal_frame_sql(frame_name: str, columns: list[str]) -> str:
    """A deal-shaped relation over a registered frame: every version field, NULL (typed) where the frame lacks it."""
    cols = [
        f"CAST({c if c in columns else 'NULL'} AS {SQL_TYPES[VERSION_SCHEMA[c]]}) AS {c}"
        for c in ["source_format", "payload_sha256", *VERSION_FIELDS]
    ]
    return f"SELECT CAST(deal_id AS VARCHAR) AS deal_id, {', '.join(cols)} FROM {frame_name}"


def _memory_con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(sql_text("tables/deal_version.sql"))
    return con


def with_content_hash(deals: pl.DataFrame) -> pl.DataFrame:
    """deal rows -> the version columns (deal_key, source_format, fields) plus ``content_hash_sql`` (in DuckDB)."""
    with duckdb.connect() as con:
        register_frame(con, "_deals", deals)
        out = frame_of(
            con.sql(
                f"SELECT deal_id AS deal_key, source_format, payload_sha256, {_fields_sql()}, "
                f"{content_hash_sql()} AS content_hash FROM ({deal_frame_sql('_deals', deals.columns)})"
            )
        )
    return out.cast({c: t for c, t in VERSION_SCHEMA.items() if c in out.columns})


def advance_versions(
    versions: pl.DataFrame, deals: pl.DataFrame, release_id: str, label: str | None, previous: str | None
) -> pl.DataFrame:
    """The whole deal_version table after release ``release_id`` became current: ``advance_versions_sql`` run on an
    in-memory DuckDB holding ``versions``, for tests and small callers."""
    with _memory_con() as con:
        if versions.height:
            append_frame(con, "deal_version", versions.select(list(VERSION_SCHEMA)), by_name=True)
        if deals.height:
            register_frame(con, "_deals", deals)
            con.execute(f"CREATE TEMP VIEW _deal AS {deal_frame_sql('_deals', deals.columns)}")
            advance_versions_sql(con, release_id, label, previous, deals="_deal")
        out = frame_of(con.sql("SELECT * FROM deal_version ORDER BY valid_from_release, deal_key"))
    return out.select(list(VERSION_SCHEMA)).cast(VERSION_SCHEMA)


def deals_at(versions: pl.DataFrame, release_id: str) -> pl.DataFrame:
    """The deals a release held: versions whose [valid_from, valid_to] covers it (release ids sort in load order)."""
    return versions.filter((pl.col("valid_from_release") <= release_id) & (pl.col("valid_to_release") >= release_id))
