"""The flow, declared once: each step is a plain function of Settings that reads and writes the build file.

Dagster wraps every step as an asset (``assets/``); the CLI runs the same steps in the same order
(``pipelines.runner``) without importing Dagster. Logic lives in the pure modules (sources, entities,
membership); steps only move frames between raw files, the build file and those functions.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import polars as pl

from . import entities as ent
from . import membership as mem
from .config import Settings, reference_dir
from .fetch import Payload, Request, fetch_live, fetch_recorded
from .raw import land
from .sources import sipri, unoda, wikidata
from .sources.text_table import QUARANTINE_SCHEMA, join_reasons
from .warehouse import build_connection, ensure_tables, replace_rows, replace_table, run_sql_file, table_frame

FORMATS = {"sipri": "trade-register-csv", "unoda": "unoda-graphql", "wikidata": "sparql-json"}
SIPRI_FIRST_YEAR = 1950


@dataclass(frozen=True)
class Step:
    name: str
    group: str
    deps: tuple[str, ...]
    run: Callable[[Settings], dict]
    description: str
    kinds: tuple[str, ...] = ("duckdb",)
    tables: tuple[str, ...] = field(default_factory=tuple)


def reference(name: str) -> pl.DataFrame:
    return pl.read_csv(reference_dir() / name, infer_schema_length=0)


def dated(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).str.to_date() for c in cols)


# ---------------------------------------------------------------- raw
def live_plan(source: str) -> list[Request]:
    if source == "sipri":
        return sipri.plan_requests(SIPRI_FIRST_YEAR, datetime.now(timezone.utc).year)
    if source == "unoda":
        return unoda.plan_requests(reference("treaties.csv")["unoda_short_name"].to_list())
    orgs = reference("organisations.csv").filter(pl.col("kind") == "alliance")
    return wikidata.plan_requests(dict(zip(orgs["source_key"], orgs["wikidata_qid"])))


def new_batch_id(source: str) -> str:
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{source}"


def land_batch(settings: Settings, source: str, payloads: list[Payload], fmt: str) -> dict:
    """Keep every payload as received and record it in load_manifest as one batch."""
    batch = new_batch_id(source)
    landed = [land(p, settings.raw_dir, fmt) for p in payloads]
    manifest = pl.DataFrame({
        "batch_id": [batch] * len(landed), "source": [l.source for l in landed],
        "request_name": [l.request_name for l in landed], "request": [json.dumps(l.request) for l in landed],
        "url": [l.url for l in landed], "fetched_at": [l.fetched_at for l in landed],
        "sha256": [l.sha256 for l in landed], "bytes": [l.bytes for l in landed],
        "raw_path": [l.path for l in landed], "format": [l.format for l in landed],
        "source_release": [p.release for p in payloads]})
    with build_connection(settings) as con:
        ensure_tables(con, "load_manifest")
        con.register("_m", manifest.to_arrow())
        con.execute("INSERT INTO load_manifest BY NAME SELECT * REPLACE (fetched_at::TIMESTAMPTZ AS fetched_at, "
                    "request::JSON AS request) FROM _m")
    return {"batch_id": batch, "payloads": len(landed), "bytes": sum(l.bytes for l in landed),
            "mode": "live" if settings.live else "replay"}


def raw_step(source: str) -> Callable[[Settings], dict]:
    def run(settings: Settings) -> dict:
        payloads = fetch_live(live_plan(source), settings) if settings.live else fetch_recorded(source)
        return land_batch(settings, source, payloads, FORMATS[source])
    run.__name__ = f"raw_{source}"
    return run


def import_sipri_file(settings: Settings, path: Path) -> dict:
    """A user's SIPRI file becomes the current SIPRI batch: legacy CSV export or a saved API response."""
    body = path.read_bytes()
    fmt = "trade-register-csv" if body.lstrip()[:1] == b"{" else "legacy-export"
    req = Request("sipri", f"import:{path.name}", "FILE", str(path.resolve()))
    payload = Payload(req, body, f"file://{path.resolve()}", datetime.now(timezone.utc))
    return land_batch(settings, "sipri", [payload], fmt)


def current_batch(con, source: str) -> pl.DataFrame:
    ensure_tables(con, "load_manifest")
    return table_frame(con, "SELECT * FROM load_manifest WHERE batch_id = (SELECT max(batch_id) FROM load_manifest "
                            "WHERE source = ?) ORDER BY request_name", [source])


def _set_counts(con, batch_id: str, counts: pl.DataFrame) -> None:
    """counts: request_name plus any of rows_in, rows_loaded, rows_quarantined, source_release."""
    for row in counts.iter_rows(named=True):
        cols = [c for c in row if c != "request_name"]
        con.execute(f"UPDATE load_manifest SET {', '.join(f'{c} = ?' for c in cols)} "
                    "WHERE batch_id = ? AND request_name = ?", [row[c] for c in cols] + [batch_id, row["request_name"]])


def _quarantine(con, source: str, stage: str, frame: pl.DataFrame) -> None:
    replace_rows(con, "quarantine", {"source": source, "stage": stage}, frame.with_columns(stage=pl.lit(stage)))


# ---------------------------------------------------------------- staging
def _parse_sipri(m: dict, body: bytes):
    parse = sipri.parse_legacy_export if m["format"] == "legacy-export" else sipri.parse_trade_register
    parsed = parse(body, m["sha256"], f"{m['request_name']} ({m['url']})")
    trades = parsed.trades.with_columns(source_format=pl.lit(m["format"]), source_release=pl.lit(parsed.release))
    return trades, parsed.quarantine, parsed.rows_in, parsed.release


def _parse_unoda(m: dict, body: bytes):
    return (*unoda.parse_treaty_actions(body, m["request_name"], m["sha256"]), None)


def _parse_wikidata(m: dict, body: bytes):
    return (*wikidata.parse_memberships(body, m["request_name"], m["sha256"]), None)


STAGING = {"sipri": ("sipri_trade", _parse_sipri, None), "unoda": ("treaty_action", _parse_unoda, unoda.ACTION_SCHEMA),
           "wikidata": ("alliance_membership", _parse_wikidata, wikidata.MEMBER_SCHEMA)}


def stage_step(source: str) -> Callable[[Settings], dict]:
    """Parse the source's current batch into staging.<table>; unreadable rows go to quarantine (stage parse)."""
    table, parse, empty_schema = STAGING[source]

    def run(settings: Settings) -> dict:
        with build_connection(settings) as con:
            batch = current_batch(con, source)
            frames, quarantined, counts = [], [], []
            for m in batch.iter_rows(named=True):
                frame, q, rows_in, release = parse(m, Path(m["raw_path"]).read_bytes())
                release = m["source_release"] or release  # a recording's own label wins over its preamble
                if release and "source_release" in frame.columns:
                    frame = frame.with_columns(source_release=pl.lit(release))
                frames.append(frame)
                quarantined.append(q)
                counts.append({"request_name": m["request_name"], "rows_in": rows_in, "source_release": release})
            frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema=empty_schema)
            con.execute("CREATE SCHEMA IF NOT EXISTS staging")
            con.register("_t", frame.to_arrow())
            con.execute(f"CREATE OR REPLACE TABLE staging.{table} AS SELECT * FROM _t")
            q = pl.concat(quarantined) if quarantined else pl.DataFrame(schema=QUARANTINE_SCHEMA)
            _quarantine(con, source, "parse", q)
            if counts:
                _set_counts(con, batch["batch_id"][0], pl.DataFrame(counts))
        return {"rows": frame.height, "quarantined": q.height, "payloads": batch.height}

    run.__name__ = f"stage_{source}"
    return run


# ---------------------------------------------------------------- entities
def _staged(con, sql: str) -> pl.DataFrame:
    """Rows from a staging table, or nothing when that source was never staged in this build."""
    try:
        return table_frame(con, sql)
    except Exception as exc:  # duckdb.CatalogException: table missing
        if "does not exist" in str(exc):
            return pl.DataFrame()
        raise


def build_entities(settings: Settings) -> dict:
    """Resolve every raw name from every staged source into entity ids (one place, one set of rules)."""
    with build_connection(settings) as con:
        sipri_names = _staged(con, "SELECT supplier AS n FROM staging.sipri_trade UNION SELECT recipient FROM staging.sipri_trade")
        unoda_names = _staged(con, "SELECT DISTINCT state_name AS n FROM staging.treaty_action")
        wd = _staged(con, "SELECT DISTINCT label, iso3 FROM staging.alliance_membership")
        known = set(ent.reference_entities()["entity_id"])
        alias_frames, created = [], [ent.reference_entities()]
        for source, frame in (("sipri", sipri_names), ("unoda", unoda_names)):
            if frame.height:
                a, c = ent.resolve_names(frame["n"].to_list(), source)
                alias_frames.append(a)
                created.append(c)
        if wd.height:
            by_iso = wd.filter(pl.col("iso3").is_in(list(known)))
            alias_frames.append(by_iso.select(source=pl.lit("wikidata"), raw_name="label", entity_id="iso3",
                                              resolved_by=pl.lit("iso3")).unique("raw_name"))
            rest = wd.filter(~pl.col("label").is_in(by_iso["label"].implode()))
            a, c = ent.resolve_names(rest["label"].to_list(), "wikidata")
            alias_frames.append(a)
            created.append(c)
        aliases = pl.concat(alias_frames) if alias_frames else pl.DataFrame(schema=ent.ALIAS_SCHEMA)
        entities = pl.concat(created).unique("entity_id", keep="first")
        unresolved = aliases.filter(pl.col("entity_id").is_null())
        replace_table(con, "entity", entities)
        replace_table(con, "entity_alias", aliases.filter(pl.col("entity_id").is_not_null()))
    return {"entities": entities.height, "aliases": aliases.height - unresolved.height,
            "unresolved_names": unresolved.height,
            "unresolved": [f"{r['source']}: {r['raw_name']}" for r in unresolved.iter_rows(named=True)][:50]}


def _resolve_column(con, frame: pl.DataFrame, source: str, name_col: str, id_col: str) -> pl.DataFrame:
    aliases = table_frame(con, "SELECT raw_name, entity_id FROM entity_alias WHERE source = ?", [source])
    return frame.join(aliases.rename({"raw_name": name_col, "entity_id": id_col}), on=name_col, how="left")


def _unresolved_quarantine(frame: pl.DataFrame, source: str, checks: list[tuple[str, str, str]],
                           raw_col: str = "raw_text", line_col: str = "line_no") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows whose names resolved from those that did not; the latter become quarantine rows."""
    reasons = [pl.when(pl.col(id_col).is_null()).then(pl.format(f"{label} '{{}}' matches no entity; add it to "
               "data_contracts/reference/aliases.csv", pl.col(name_col))) for label, name_col, id_col in checks]
    frame = frame.with_columns(join_reasons(reasons).alias("_reason"))
    bad = frame.filter(pl.col("_reason").is_not_null())
    q = bad.select(source=pl.lit(source), payload_sha256="payload_sha256", line_no=pl.col(line_col),
                   raw_text=pl.col(raw_col), reason="_reason")
    return frame.filter(pl.col("_reason").is_null()).drop("_reason"), q


# ---------------------------------------------------------------- deals
DEAL_LEVEL = ["supplier_id", "recipient_id", "supplier", "recipient", "designation", "description",
              "armament_category", "order_year", "order_year_is_estimate", "status", "tiv_unit_new", "tiv_unit_deal",
              "local_production"]


def build_deals(settings: Settings) -> dict:
    with build_connection(settings) as con:
        trades = table_frame(con, "SELECT * FROM staging.sipri_trade")
        trades = _resolve_column(con, trades, "sipri", "supplier", "supplier_id")
        trades = _resolve_column(con, trades, "sipri", "recipient", "recipient_id")
        trades, q_resolve = _unresolved_quarantine(trades, "sipri", [("supplier", "supplier", "supplier_id"),
                                                                     ("recipient", "recipient", "recipient_id")])
        api = trades.filter(pl.col("source_format") == "trade-register-csv")
        legacy = trades.filter(pl.col("source_format") == "legacy-export")
        deals, deliveries, q_api = _api_deals(api)
        ldeals, ldeliveries = _legacy_deals(legacy)
        deals = pl.concat([deals, ldeals], how="diagonal_relaxed")
        deliveries = pl.concat([deliveries, ldeliveries], how="diagonal_relaxed")
        quarantine = pl.concat([q_resolve, q_api])
        replace_table(con, "deal", deals)
        replace_table(con, "delivery", deliveries)
        _quarantine(con, "sipri", "resolve", quarantine)
        loaded = (api.join(q_api.select("payload_sha256", "line_no"), on=["payload_sha256", "line_no"], how="anti")
                  .group_by("payload_sha256").len("rows_loaded"))
        loaded = pl.concat([loaded, legacy.group_by("payload_sha256").len("rows_loaded")])
        _record_loaded(con, "sipri", loaded)
    return {"deals": deals.height, "deliveries": deliveries.height, "quarantined": quarantine.height,
            "tiv_delivered": round(deals["tiv_delivered"].sum() or 0.0, 2)}


def _api_deals(api: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Rows are deal x delivery year; deal-level columns must agree across a deal's rows."""
    if api.height == 0:
        return pl.DataFrame(), pl.DataFrame(), pl.DataFrame(schema=QUARANTINE_SCHEMA)
    disagree = api.group_by("deal_id").agg([pl.col(c).n_unique().alias(c) for c in DEAL_LEVEL])
    disagree = disagree.with_columns(pl.concat_str([pl.when(pl.col(c) > 1).then(pl.lit(c)) for c in DEAL_LEVEL],
                                                   separator=", ", ignore_nulls=True).alias("cols"))
    disagree = disagree.filter(pl.col("cols") != "")
    dup = api.filter(pl.struct("deal_id", "delivery_year").is_duplicated() &
                     ~pl.struct("deal_id", "delivery_year").is_first_distinct())
    bad = pl.concat([
        api.join(disagree.select("deal_id", "cols"), on="deal_id").with_columns(
            reason=pl.format("deal {}: its rows disagree on {}", pl.col("deal_id"), pl.col("cols"))).drop("cols"),
        dup.with_columns(reason=pl.format("deal {}: second row for delivery year {}", pl.col("deal_id"),
                                          pl.col("delivery_year")))], how="diagonal_relaxed")
    q = bad.select(source=pl.lit("sipri"), payload_sha256="payload_sha256", line_no="line_no", raw_text="raw_text",
                   reason="reason")
    good = api.join(bad.select("payload_sha256", "line_no"), on=["payload_sha256", "line_no"], how="anti")
    deals = good.group_by("deal_id").agg(
        *[pl.col(c).first() for c in DEAL_LEVEL],
        pl.col("source_format").first(), pl.col("source_release").first(), pl.col("payload_sha256").first(),
        pl.col("numbers_delivered").sum().alias("numbers_delivered"),
        pl.col("numbers_delivered_is_estimate").any().alias("numbers_delivered_is_estimate"),
        pl.when(pl.col("tiv_delivered").is_not_null().any()).then(pl.col("tiv_delivered").sum()).alias("tiv_delivered"),
        pl.col("delivery_year").min().alias("first_delivery_year"),
        pl.col("delivery_year").max().alias("last_delivery_year"),
    ).rename({"supplier": "supplier_name", "recipient": "recipient_name"})
    deliveries = good.select("deal_id", "delivery_year", "numbers_delivered", "numbers_delivered_is_estimate",
                             "delivery_year_is_estimate", "tiv_delivered")
    return deals, deliveries, q


def _legacy_deals(legacy: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per deal with totals; the per-year split is unknown, so deliveries carry only the years."""
    if legacy.height == 0:
        return pl.DataFrame(), pl.DataFrame()
    years = legacy.select("deal_id", pl.col("delivery_years").fill_null("").str.split("; ").alias("y")).explode("y")
    years = years.filter(pl.col("y") != "").with_columns(pl.col("y").cast(pl.Int32))
    deliveries = years.select("deal_id", delivery_year="y").unique().with_columns(
        numbers_delivered=pl.lit(None, pl.Int64), numbers_delivered_is_estimate=pl.lit(None, pl.Boolean),
        delivery_year_is_estimate=pl.lit(None, pl.Boolean), tiv_delivered=pl.lit(None, pl.Float64))
    span = years.group_by("deal_id").agg(first_delivery_year=pl.col("y").min(), last_delivery_year=pl.col("y").max())
    deals = legacy.join(span, on="deal_id", how="left").rename({"supplier": "supplier_name", "recipient": "recipient_name"})
    return deals, deliveries


def _record_loaded(con, source: str, loaded: pl.DataFrame) -> None:
    """Write rows_loaded and rows_quarantined per payload of the current batch, so counts reconcile."""
    batch = current_batch(con, source)
    if batch.height == 0:
        return
    q = table_frame(con, "SELECT payload_sha256, count(*) AS rows_quarantined FROM quarantine WHERE source = ? "
                         "GROUP BY ALL", [source])
    counts = (batch.select("request_name", payload_sha256="sha256")
              .join(loaded, on="payload_sha256", how="left").join(q, on="payload_sha256", how="left")
              .select("request_name", pl.col("rows_loaded").fill_null(0).cast(pl.Int64),
                      pl.col("rows_quarantined").fill_null(0).cast(pl.Int64)))
    _set_counts(con, batch["batch_id"][0], counts)


# ---------------------------------------------------------------- treaties and memberships
def build_treaties(settings: Settings) -> dict:
    treaties = dated(reference("treaties.csv"), "opened", "entry_into_force")
    orgs = dated(reference("organisations.csv"), "founded", "dissolved")
    with build_connection(settings) as con:
        replace_table(con, "treaty", treaties)
        replace_table(con, "organisation", orgs.drop("source_key"))
        staged = table_frame(con, "SELECT * FROM staging.treaty_action")
        staged = staged.join(treaties.select("treaty_id", treaty_short_name="unoda_short_name"), on="treaty_short_name",
                             how="left")
        staged = _resolve_column(con, staged, "unoda", "state_name", "entity_id").with_columns(
            raw_text=pl.struct("treaty_short_name", "state_name", "action", "action_date", "depositary").struct.json_encode())
        actions, q = _unresolved_quarantine(staged, "unoda", [("state", "state_name", "entity_id")], line_col="record_no")
        key = ["treaty_id", "entity_id", "action", "depositary", "action_date"]
        dup = actions.filter(~pl.struct(key).is_first_distinct())
        q = pl.concat([q, dup.select(source=pl.lit("unoda"), payload_sha256="payload_sha256", line_no="record_no",
                                     raw_text="raw_text", reason=pl.lit("duplicate of an earlier record"))])
        actions = actions.filter(pl.struct(key).is_first_distinct())
        replace_table(con, "treaty_action", actions.with_columns(source=pl.lit("unoda")).select(
            "treaty_id", "entity_id", "action", "action_date", "depositary", "state_name", "source"))
        _quarantine(con, "unoda", "resolve", q)
        _record_loaded(con, "unoda", actions.group_by("payload_sha256").len("rows_loaded"))
    return {"treaties": treaties.height, "treaty_actions": actions.height, "quarantined": q.height}


def build_membership(settings: Settings) -> dict:
    orgs = reference("organisations.csv")
    curated = dated(reference("alliance_membership.csv"), "start_date", "end_date")
    treaties = dated(reference("treaties.csv"), "opened", "entry_into_force")
    successions = dated(reference("successions.csv"), "date")
    with build_connection(settings) as con:
        actions = table_frame(con, "SELECT * FROM treaty_action")
        entities = table_frame(con, "SELECT * FROM entity")
        staged = _staged(con, "SELECT * FROM staging.alliance_membership")
        if staged.height == 0:
            staged = pl.DataFrame(schema=wikidata.MEMBER_SCHEMA)
        staged = staged.join(orgs.select(org_key="source_key", org_id="org_id"), on="org_key", how="left")
        staged = _resolve_column(con, staged, "wikidata", "label", "entity_id").with_columns(
            raw_text=pl.struct("org_key", "qid", "label", "iso3", "start_date", "end_date").struct.json_encode())
        claims, q = _unresolved_quarantine(staged, "wikidata", [("item", "label", "entity_id")], line_col="record_no")
        treaty_iv = mem.treaty_intervals(actions, treaties, entities, successions)
        curated_orgs = set(curated["org_id"])
        uncurated = claims.filter(~pl.col("org_id").is_in(list(curated_orgs))).select(
            "org_id", "entity_id", role=pl.lit("member"), start_date="start_date", end_date="end_date",
            opened_by=pl.lit("accession"), closed_by=pl.when(pl.col("end_date").is_not_null()).then(pl.lit("withdrawal")),
            source=pl.lit("wikidata")).filter(pl.col("start_date").is_not_null())
        membership = pl.concat([treaty_iv, mem.alliance_intervals(curated), uncurated.cast(mem.MEMBERSHIP_SCHEMA)])
        recon = mem.reconcile(curated.select("org_id", "entity_id", "start_date", "end_date"),
                              claims.select("org_id", "entity_id", "start_date", "end_date"))
        replace_table(con, "membership", membership)
        replace_table(con, "reconciliation", recon)
        replace_table(con, "wikidata_membership", claims.select("org_id", "entity_id", "qid", "label", "start_date",
                                                                "end_date", "payload_sha256"))
        _quarantine(con, "wikidata", "resolve", q)
        _record_loaded(con, "wikidata", claims.group_by("payload_sha256").len("rows_loaded"))
    return {"memberships": membership.height, "reconciliation_issues": recon.height, "quarantined": q.height}


def build_nuclear_status(settings: Settings) -> dict:
    facts = dated(reference("nuclear_facts.csv"), "since")
    with build_connection(settings) as con:
        status = mem.nuclear_status(table_frame(con, "SELECT * FROM membership"), facts,
                                    table_frame(con, "SELECT * FROM entity"))
        replace_table(con, "nuclear_status", status)
    return {"intervals": status.height}


# --- alliances (issue 10): isolated step for the lead to port; bundled ATOP 5.1/COW 4.1 subset by default ---
def alliance_files(paths: list[Path] | None = None) -> list[tuple[str, bytes]]:
    """The files to load: those given, else every file of pipelines/recorded/{atop,cow}/index.json."""
    from .fetch import RECORDED_DIR, recorded_requests
    if paths:
        return [(p.name, p.read_bytes()) for p in paths]
    return [(path.name, path.read_bytes()) for s in ("atop", "cow") for _, path, _ in recorded_requests(s, RECORDED_DIR)]


def build_alliances(settings: Settings, paths: list[Path] | None = None) -> dict:
    from . import alliance_load
    curated = dated(reference("alliance_membership.csv"), "start_date", "end_date")
    with build_connection(settings) as con:
        tables = alliance_load.build(alliance_files(paths), table_frame(con, "SELECT * FROM entity"), curated)
        replace_table(con, "alliance", tables.alliance)
        replace_table(con, "alliance_member", tables.alliance_member)
        replace_table(con, "alliance_reconciliation", tables.alliance_reconciliation)
        replace_table(con, "alliance_unresolved", tables.unresolved)
        for source in ("atop", "cow"):
            _quarantine(con, source, "parse", tables.quarantine.filter(pl.col("source") == source))
    return {"alliances": tables.alliance.height, "members": tables.alliance_member.height,
            "unresolved": tables.unresolved.height, "reconciliation_issues": tables.alliance_reconciliation.height,
            "quarantined": tables.quarantine.height, "files": tables.counts.to_dicts()}


ALLIANCE_MARTS = {"mart_transfer_enriched", "mart_dyad_year"}


def mart_step(name: str) -> Callable[[Settings], dict]:
    def run(settings: Settings) -> dict:
        with build_connection(settings) as con:
            run_sql_file(con, "marts/as_of.sql")
            if name in ALLIANCE_MARTS:
                run_sql_file(con, "marts/alliance_pledges.sql")
            run_sql_file(con, f"marts/{name}.sql")
            rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        return {"rows": rows}
    run.__name__ = name
    return run


STEPS: list[Step] = [
    *(Step(f"raw_{s}", "raw", (), raw_step(s), f"{s} payloads fetched (live) or replayed (recorded), kept as received",
           ("python",)) for s in ("sipri", "unoda", "wikidata")),
    *(Step(f"stg_{s}", "staging", (f"raw_{s}",), stage_step(s), f"{s} payloads parsed; unreadable rows quarantined",
           ("polars", "duckdb")) for s in ("sipri", "unoda", "wikidata")),
    Step("entity", "staging", ("stg_sipri", "stg_unoda", "stg_wikidata"), build_entities,
         "every raw name resolved to one entity (states, former states, armed groups, organisations)",
         ("polars", "duckdb"), ("entity", "entity_alias")),
    Step("deal", "warehouse", ("entity",), build_deals, "SIPRI deals and their deliveries per year",
         ("polars", "duckdb"), ("deal", "delivery")),
    Step("treaty_action", "warehouse", ("entity",), build_treaties, "treaties and UNODA treaty actions",
         ("polars", "duckdb"), ("treaty", "organisation", "treaty_action")),
    Step("membership", "warehouse", ("treaty_action",), build_membership,
         "treaty and alliance membership intervals; Wikidata reconciled against curated facts",
         ("polars", "duckdb"), ("membership", "reconciliation", "wikidata_membership")),
    Step("nuclear_status", "warehouse", ("membership",), build_nuclear_status,
         "nuclear status intervals derived from NPT membership and curated facts", ("polars", "duckdb"),
         ("nuclear_status",)),
    Step("alliance", "warehouse", ("entity",), build_alliances,
         "ATOP and COW alliances and member spells linked to entities by COW code; reconciled with curated facts",
         ("polars", "duckdb"), ("alliance", "alliance_member", "alliance_reconciliation", "alliance_unresolved")),
    Step("mart_transfer_enriched", "marts", ("deal", "nuclear_status", "alliance"), mart_step("mart_transfer_enriched"),
         "each deal with both parties' alliance, treaty and nuclear status as of the order year", ("duckdb",),
         ("mart_transfer_enriched",)),
    Step("mart_country_year", "marts", ("deal", "nuclear_status"), mart_step("mart_country_year"),
         "entity x year: TIV imported and exported, memberships, nuclear status", ("duckdb",), ("mart_country_year",)),
    Step("mart_dyad_year", "marts", ("deal", "nuclear_status", "alliance"), mart_step("mart_dyad_year"),
         "supplier x recipient x year: TIV, shared alliances, both statuses", ("duckdb",), ("mart_dyad_year",)),
]
STEP_BY_NAME = {s.name: s for s in STEPS}
