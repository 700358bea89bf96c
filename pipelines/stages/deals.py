"""Deals: SIPRI trades (API rows per deal-year, legacy rows per deal) -> ``deal`` and ``delivery``."""

from __future__ import annotations

import polars as pl

from ..runs import RunContext
from ..sources.text_table import QUARANTINE_SCHEMA
from ..warehouse import connect, replace_table, table_frame
from .common import quarantine, record_loaded, resolve_column, source_aliases, split_unresolved

DEAL_LEVEL = [
    "supplier_id",
    "recipient_id",
    "supplier",
    "recipient",
    "designation",
    "description",
    "armament_category",
    "order_year",
    "order_year_is_estimate",
    "status",
    "tiv_unit_new",
    "tiv_unit_deal",
    "local_production",
]


def deals_from_trades(trades: pl.DataFrame, aliases: pl.DataFrame):
    """Resolve parties, build deals and deliveries; returns (deals, deliveries, quarantine, rows loaded per payload)."""
    trades = resolve_column(aliases, trades, "supplier", "supplier_id")
    trades = resolve_column(aliases, trades, "recipient", "recipient_id")
    trades, q_resolve = split_unresolved(
        trades, "sipri", [("supplier", "supplier", "supplier_id"), ("recipient", "recipient", "recipient_id")]
    )
    api = trades.filter(pl.col("source_format") == "trade-register-csv")
    legacy = trades.filter(pl.col("source_format") == "legacy-export")
    deals, deliveries, q_api = api_deals(api)
    ldeals, ldeliveries = legacy_deals(legacy)
    deals = pl.concat([deals, ldeals], how="diagonal_relaxed")
    deliveries = pl.concat([deliveries, ldeliveries], how="diagonal_relaxed")
    loaded = (
        api.join(q_api.select("payload_sha256", "line_no"), on=["payload_sha256", "line_no"], how="anti")
        .group_by("payload_sha256")
        .len("rows_loaded")
    )
    loaded = pl.concat([loaded, legacy.group_by("payload_sha256").len("rows_loaded")])
    return deals, deliveries, pl.concat([q_resolve, q_api]), loaded


def build_deals(ctx: RunContext) -> dict:
    with connect(ctx.build_path) as con:
        trades = table_frame(con, "SELECT * FROM staging.sipri_trade")
        deals, deliveries, q, loaded = deals_from_trades(trades, source_aliases(con, "sipri"))
        replace_table(con, "deal", deals)
        replace_table(con, "delivery", deliveries)
        quarantine(con, "sipri", "resolve", q)
        record_loaded(con, "sipri", loaded)
    return {
        "deals": deals.height,
        "deliveries": deliveries.height,
        "quarantined": q.height,
        "tiv_delivered": round(deals["tiv_delivered"].sum() or 0.0, 2) if deals.height else 0.0,
    }


def api_deals(api: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Rows are deal x delivery year; deal-level columns must agree across a deal's rows."""
    if api.height == 0:
        return pl.DataFrame(), pl.DataFrame(), pl.DataFrame(schema=QUARANTINE_SCHEMA)
    disagree = api.group_by("deal_id").agg([pl.col(c).n_unique().alias(c) for c in DEAL_LEVEL])
    disagree = disagree.with_columns(
        pl.concat_str(
            [pl.when(pl.col(c) > 1).then(pl.lit(c)) for c in DEAL_LEVEL], separator=", ", ignore_nulls=True
        ).alias("cols")
    )
    disagree = disagree.filter(pl.col("cols") != "")
    dup = api.filter(
        pl.struct("deal_id", "delivery_year").is_duplicated()
        & ~pl.struct("deal_id", "delivery_year").is_first_distinct()
    )
    bad = pl.concat(
        [
            api.join(disagree.select("deal_id", "cols"), on="deal_id")
            .with_columns(reason=pl.format("deal {}: its rows disagree on {}", pl.col("deal_id"), pl.col("cols")))
            .drop("cols"),
            dup.with_columns(
                reason=pl.format("deal {}: second row for delivery year {}", pl.col("deal_id"), pl.col("delivery_year"))
            ),
        ],
        how="diagonal_relaxed",
    )
    q = bad.select(
        source=pl.lit("sipri"), payload_sha256="payload_sha256", line_no="line_no", raw_text="raw_text", reason="reason"
    )
    good = api.join(bad.select("payload_sha256", "line_no"), on=["payload_sha256", "line_no"], how="anti")
    deals = (
        good.group_by("deal_id")
        .agg(
            *[pl.col(c).first() for c in DEAL_LEVEL],
            pl.col("source_format").first(),
            pl.col("source_release").first(),
            pl.col("payload_sha256").first(),
            pl.col("numbers_delivered").sum().alias("numbers_delivered"),
            pl.col("numbers_delivered_is_estimate").any().alias("numbers_delivered_is_estimate"),
            pl.when(pl.col("tiv_delivered").is_not_null().any())
            .then(pl.col("tiv_delivered").sum())
            .alias("tiv_delivered"),
            pl.col("delivery_year").min().alias("first_delivery_year"),
            pl.col("delivery_year").max().alias("last_delivery_year"),
        )
        .rename({"supplier": "supplier_name", "recipient": "recipient_name"})
    )
    deliveries = good.select(
        "deal_id",
        "delivery_year",
        "numbers_delivered",
        "numbers_delivered_is_estimate",
        "delivery_year_is_estimate",
        "tiv_delivered",
        "payload_sha256",  # provenance: the payload and release each row was read from
        "source_release",
    )
    return deals, deliveries, q


def legacy_deals(legacy: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per deal with totals; the per-year split is unknown, so deliveries carry only the years."""
    if legacy.height == 0:
        return pl.DataFrame(), pl.DataFrame()
    years = legacy.select(
        "deal_id", "payload_sha256", "source_release", pl.col("delivery_years").fill_null("").str.split("; ").alias("y")
    ).explode("y")
    years = years.filter(pl.col("y") != "").with_columns(pl.col("y").cast(pl.Int32))
    deliveries = (
        years.select("deal_id", "payload_sha256", "source_release", delivery_year="y")
        .unique()
        .with_columns(
            numbers_delivered=pl.lit(None, pl.Int64),
            numbers_delivered_is_estimate=pl.lit(None, pl.Boolean),
            delivery_year_is_estimate=pl.lit(None, pl.Boolean),
            tiv_delivered=pl.lit(None, pl.Float64),
        )
    )
    span = years.group_by("deal_id").agg(first_delivery_year=pl.col("y").min(), last_delivery_year=pl.col("y").max())
    deals = legacy.join(span, on="deal_id", how="left").rename(
        {"supplier": "supplier_name", "recipient": "recipient_name"}
    )
    return deals, deliveries
