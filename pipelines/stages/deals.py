"""Deals: SIPRI trades (API rows per deal-year, legacy rows per deal) -> ``deal`` and ``delivery``, in DuckDB.

Parties resolve through ``entity_alias``; a name that matches no entity quarantines its row. API rows are
deal x delivery year: a deal whose rows disagree on a deal-level column, and a second row for the same deal
and year, are quarantined; the rest aggregate into one deal (first payload and line win for provenance).
Legacy rows are one per deal; their deliveries carry only the years.
"""

from __future__ import annotations

from ..errors import PayloadError
from ..runs import RunContext
from ..warehouse import beside, connect, drop_frame, ensure_tables, register_frame, sql_text, table_frame
from .common import record_loaded

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
ADD_ALIAS = "matches no entity; add it to data_contracts/reference/aliases.csv"
ORDER = "payload_seq, line_no"  # the order rows were read in: batch (request name), then line


def _unresolved(label: str, name: str, id_col: str) -> str:
    return f"CASE WHEN {id_col} IS NULL THEN '{label} ''' || {name} || ''' {ADD_ALIAS}' END"


RESOLVE = f"""
CREATE OR REPLACE TEMP VIEW _trade AS
SELECT t.*, s.entity_id AS supplier_id, r.entity_id AS recipient_id,
       nullif(concat_ws('; ', {_unresolved("supplier", "t.supplier", "s.entity_id")},
                        {_unresolved("recipient", "t.recipient", "r.entity_id")}), '') AS _reason
FROM staging.sipri_trade t
LEFT JOIN (SELECT raw_name, entity_id FROM entity_alias WHERE source = 'sipri') s ON s.raw_name = t.supplier
LEFT JOIN (SELECT raw_name, entity_id FROM entity_alias WHERE source = 'sipri') r ON r.raw_name = t.recipient
"""


def _differs(col: str) -> str:
    """More than one value in the group, NULL counting as a value (polars' n_unique > 1), without a DISTINCT
    aggregate: two values differ, or some are NULL and some not."""
    return f"(min({col}) IS DISTINCT FROM max({col}) OR count({col}) NOT IN (0, count(*)))"


DISAGREEING = ", ".join(f"CASE WHEN {_differs(c)} THEN '{c}' END" for c in DEAL_LEVEL)


def api_rows(t: str = "") -> str:
    return f"{t}_reason IS NULL AND {t}source_format = 'trade-register-csv'"


API_ROWS, API_A, API_T = api_rows(), api_rows("a."), api_rows("t.")
# Rows of a deal that disagree on a deal-level column, and every row after the first (in read order) for the
# same deal and year. Both by hash aggregates over the few columns they need (no window sorted by deal, no copy
# of the rows); the raw text is read only for the rows quarantined. A deal's rows agree when their hashes of the
# deal-level columns do (min = max: numbers only, where min/max of each string column per deal spilled at 100x);
# the columns that differ are named only for the deals that do not. (Two different rows of one deal hashing alike,
# odds about 2^-64, would go unnoticed.)
DISAGREE = f"""
CREATE OR REPLACE TEMP TABLE _api_bad AS
WITH differ AS (
    SELECT deal_id FROM _trade WHERE {API_ROWS} GROUP BY deal_id
    HAVING min(hash({", ".join(DEAL_LEVEL)})) <> max(hash({", ".join(DEAL_LEVEL)}))
), disagree AS (
    SELECT deal_id, concat_ws(', ', {DISAGREEING}) AS cols
    FROM _trade WHERE {API_ROWS} AND deal_id IN (SELECT deal_id FROM differ) GROUP BY deal_id
), twice AS (
    SELECT deal_id, delivery_year, min(({ORDER})) AS first
    FROM _trade WHERE {API_ROWS} GROUP BY deal_id, delivery_year HAVING count(*) > 1
)
SELECT a.payload_sha256, a.line_no, a.raw_text, 'deal ' || a.deal_id || ': its rows disagree on ' || d.cols AS reason
FROM _trade a JOIN disagree d ON a.deal_id = d.deal_id WHERE {API_A} AND d.cols <> ''
UNION ALL
SELECT a.payload_sha256, a.line_no, a.raw_text,
       'deal ' || a.deal_id || ': second row for delivery year ' || a.delivery_year
FROM _trade a JOIN twice w ON a.deal_id = w.deal_id AND a.delivery_year IS NOT DISTINCT FROM w.delivery_year
WHERE {API_A} AND (a.payload_seq, a.line_no) <> w.first
"""

API_GOOD = f"""
CREATE OR REPLACE TEMP TABLE _api AS
SELECT t.* EXCLUDE (raw_text) FROM _trade t ANTI JOIN _api_bad b USING (payload_sha256, line_no)
WHERE {API_T}
"""


# The first row of a deal in read order, as one BIGINT (a payload holds far fewer than 10^12 lines).
def first_key(t: str = "") -> str:
    return f"{t}payload_seq::BIGINT * 1000000000000 + {t}line_no"


# A deal's rows agree on every deal-level column (those that do not are quarantined above), so the deal takes
# them from its first row: the aggregate keeps only numbers (DuckDB spills it to disk under the memory cap, where
# string any_value/arg_min states at 100x the register did not fit) and a join fetches that row's columns.
API_DEALS = f"""
INSERT INTO deal BY NAME
WITH agg AS (
    SELECT deal_id, min({first_key()}) AS _first,
        coalesce(sum(numbers_delivered), 0) AS numbers_delivered,
        coalesce(bool_or(numbers_delivered_is_estimate), FALSE) AS numbers_delivered_is_estimate,
        CASE WHEN count(tiv_delivered) > 0 THEN sum(tiv_delivered) END AS tiv_delivered,
        min(delivery_year) AS first_delivery_year, max(delivery_year) AS last_delivery_year
    FROM _api GROUP BY deal_id
)
SELECT a.deal_id, {", ".join(f"a.{c}" for c in DEAL_LEVEL if c not in ("supplier", "recipient"))},
    a.supplier AS supplier_name, a.recipient AS recipient_name, a.source_format, a.source_release, a.payload_sha256,
    agg.* EXCLUDE (deal_id, _first)
FROM agg JOIN _api a ON a.deal_id = agg.deal_id AND {first_key("a.")} = agg._first
ORDER BY a.deal_id
"""
API_DELIVERIES = """
INSERT INTO delivery BY NAME
SELECT deal_id, delivery_year, numbers_delivered, numbers_delivered_is_estimate, delivery_year_is_estimate,
    tiv_delivered, payload_sha256, source_release
FROM _api ORDER BY deal_id, delivery_year
"""
TIV_LISTS = f"""
SELECT deal_id, list(tiv_delivered ORDER BY {ORDER}) FILTER (WHERE tiv_delivered IS NOT NULL) AS v
FROM _api GROUP BY deal_id HAVING count(tiv_delivered) >= 3
"""
LEGACY = "_reason IS NULL AND source_format = 'legacy-export'"
# A legacy row's delivery years: NULL or '1998; 1999' (four-digit years, checked at parse), so the least and
# greatest strings are the first and last years; read per row, without unnesting the register.
LEGACY_DEALS = f"""
INSERT INTO deal BY NAME
SELECT t.* EXCLUDE (supplier, recipient, line_no, raw_text, sipri_id, delivery_year, delivery_year_is_estimate,
                    delivery_years, payload_seq, _reason),
    t.supplier AS supplier_name, t.recipient AS recipient_name,
    CAST(list_min(string_split(t.delivery_years, '; ')) AS INTEGER) AS first_delivery_year,
    CAST(list_max(string_split(t.delivery_years, '; ')) AS INTEGER) AS last_delivery_year
FROM _trade t
WHERE {LEGACY}
"""
LEGACY_DELIVERIES = f"""
INSERT INTO delivery BY NAME
SELECT deal_id, payload_sha256, source_release, CAST(y AS INTEGER) AS delivery_year
FROM (SELECT deal_id, payload_sha256, source_release,
             unnest(list_sort(list_distinct(string_split(delivery_years, '; ')))) AS y
      FROM _trade WHERE {LEGACY} AND delivery_years IS NOT NULL)
"""
# deal and delivery carry no PRIMARY KEY: their keys are unique by construction (an API deal is a GROUP BY deal_id,
# its second row for a year is quarantined; a legacy deal's key is the hash of its fields, identical twins numbered;
# a legacy deal's years are distinct), the contracts check both (expect_column_values_to_be_unique,
# expect_compound_columns_to_be_unique), and DUPLICATE_DEALS stops the step should two payloads of one batch still
# produce one key twice (a batch of one payload is not checked: its keys are unique as built, and the check reads
# every key, about 1 s at 100x). The indexes cost more than any other part of the step: building one needed the
# rows sorted by key first (legacy keys are hashes, so a full sort of the register); at 100x the register (2.95
# million legacy deals) the sort and the two indexes took about as long as everything else in the step. (DuckDB's
# "Indexes" page, 1.5: indexes slow loading down, and an ART index must fit in memory while it is built, which a
# register's under the 2 GB cap need not.) Legacy deals stay in file order.
DUPLICATE_DEALS = """
SELECT deal_id, count(*) AS n, string_agg(DISTINCT payload_sha256, ', ') AS payloads
FROM deal GROUP BY deal_id HAVING count(*) > 1 ORDER BY deal_id LIMIT 3
"""
QUARANTINE = """
INSERT INTO quarantine BY NAME
SELECT 'sipri' AS source, 'resolve' AS stage, payload_sha256, line_no, raw_text, _reason AS reason
FROM _trade WHERE _reason IS NOT NULL
UNION ALL SELECT 'sipri', 'resolve', payload_sha256, line_no, raw_text, reason FROM _api_bad
"""
LOADED = """
SELECT payload_sha256, count(*) AS rows_loaded FROM (
    SELECT payload_sha256 FROM _api
    UNION ALL SELECT payload_sha256 FROM _trade WHERE _reason IS NULL AND source_format = 'legacy-export'
) GROUP BY payload_sha256
"""


def kahan_tiv(con) -> None:
    """Deal TIV summed as polars summed it (Kahan, in row order), to the last bit, so that release history
    and diffs see no change where the data did not change. One or two values sum exactly alike either way;
    the deals with three or more are summed here, vectorised across deals (one pass per position, each a polars
    expression over every deal with that many values; IEEE doubles, so the same bits as the loop it replaced).
    """
    import polars as pl

    lists = table_frame(con, TIV_LISTS)
    if lists.height == 0:
        return
    sums = lists.with_columns(tiv=pl.lit(0.0, dtype=pl.Float64), comp=pl.lit(0.0, dtype=pl.Float64))
    for j in range(lists["v"].list.len().max()):
        x = pl.col("v").list.get(j, null_on_oob=True)
        sums = sums.with_columns(y=x - pl.col("comp")).with_columns(t=pl.col("tiv") + pl.col("y"))
        sums = sums.with_columns(  # both from the columns as they were: comp from the old total
            comp=pl.when(x.is_null()).then(pl.col("comp")).otherwise((pl.col("t") - pl.col("tiv")) - pl.col("y")),
            tiv=pl.when(x.is_null()).then(pl.col("tiv")).otherwise(pl.col("t")),
        )
    sums = sums.select("deal_id", "tiv")
    register_frame(con, "_kahan", sums)
    con.execute("UPDATE deal SET tiv_delivered = k.tiv FROM _kahan k WHERE deal.deal_id = k.deal_id")
    drop_frame(con, "_kahan")


def insert_legacy(con, at_once: int) -> None:
    """Legacy deals and their deliveries, side by side when the run takes two things at once (``at_once``, below
    ``warehouse.TWO_STEPS_BELOW_ROWS``): both read staging through ``_trade`` and each writes its own table, and
    each statement alone leaves the second core idle part of the time (10x the register: 0.95-1.1 s one after the
    other, 0.86 s side by side). The deliveries go through a second cursor, which sees committed tables only: its
    own ``_trade`` view, and ``delivery`` created (committed) before."""
    if at_once < 2:
        con.execute(LEGACY_DEALS)
        con.execute(LEGACY_DELIVERIES)
        return
    beside(con, lambda other: other.execute(RESOLVE).execute(LEGACY_DELIVERIES), lambda: con.execute(LEGACY_DEALS))


def build_deals(ctx: RunContext) -> dict:
    with connect(ctx.build_path) as con:
        ensure_tables(con, "quarantine")
        for sql in (RESOLVE, DISAGREE, API_GOOD):
            con.execute(sql)
        con.execute(sql_text("tables/deal.sql"))
        con.execute(sql_text("tables/delivery.sql"))
        con.execute(API_DEALS)
        kahan_tiv(con)
        con.execute(API_DELIVERIES)
        insert_legacy(con, ctx.at_once)
        several = con.execute("SELECT count(DISTINCT payload_seq) > 1 FROM staging.sipri_trade").fetchone()[0]
        if several and (duplicates := con.execute(DUPLICATE_DEALS).fetchall()):
            raise PayloadError(
                "sipri",
                "this batch",
                "deal ID "
                + "; ".join(f"{key} appears {n} times (payloads {shas})" for key, n, shas in duplicates)
                + " — the same deal was read from more than one payload; import one file per release",
            )
        con.execute("DELETE FROM quarantine WHERE source = 'sipri' AND stage = 'resolve'")
        con.execute(QUARANTINE)
        record_loaded(con, "sipri", table_frame(con, LOADED))
        deals, tiv = con.execute("SELECT count(*), round(coalesce(sum(tiv_delivered), 0), 2) FROM deal").fetchone()
        deliveries = con.execute("SELECT count(*) FROM delivery").fetchone()[0]
        quarantined = con.execute(
            "SELECT (SELECT count(*) FROM _trade WHERE _reason IS NOT NULL) + (SELECT count(*) FROM _api_bad)"
        ).fetchone()[0]
        for table in ("_api_bad", "_api"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DROP VIEW _trade")
    return {"deals": deals, "deliveries": deliveries, "quarantined": quarantined, "tiv_delivered": tiv}
