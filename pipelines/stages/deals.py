"""Deals: SIPRI trades (API rows per deal-year, legacy rows per deal) -> ``deal`` and ``delivery``, in DuckDB.

Parties resolve through ``entity_alias``; a name that matches no entity quarantines its row. API rows are
deal x delivery year: a deal whose rows disagree on a deal-level column, and a second row for the same deal
and year, are quarantined; the rest aggregate into one deal (first payload and line win for provenance).
Legacy rows are one per deal; their deliveries carry only the years.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..runs import RunContext
from ..warehouse import connect, ensure_tables, sql_text, table_frame
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
CREATE OR REPLACE TEMP TABLE _trade AS
SELECT t.*, s.entity_id AS supplier_id, r.entity_id AS recipient_id,
       nullif(concat_ws('; ', {_unresolved("supplier", "t.supplier", "s.entity_id")},
                        {_unresolved("recipient", "t.recipient", "r.entity_id")}), '') AS _reason
FROM staging.sipri_trade t
LEFT JOIN (SELECT raw_name, entity_id FROM entity_alias WHERE source = 'sipri') s ON s.raw_name = t.supplier
LEFT JOIN (SELECT raw_name, entity_id FROM entity_alias WHERE source = 'sipri') r ON r.raw_name = t.recipient
"""


def _distinct_values(col: str) -> str:
    """polars' n_unique: NULL counts as one more value."""
    return f"count(DISTINCT {col}) + max(({col} IS NULL)::INT)"


DISAGREEING = ", ".join(f"CASE WHEN {_distinct_values(c)} > 1 THEN '{c}' END" for c in DEAL_LEVEL)
DISAGREE = f"""
CREATE OR REPLACE TEMP TABLE _api_bad AS
WITH api AS (SELECT * FROM _trade WHERE _reason IS NULL AND source_format = 'trade-register-csv'),
disagree AS (
    SELECT deal_id, concat_ws(', ', {DISAGREEING}) AS cols
    FROM api GROUP BY deal_id
)
SELECT a.payload_sha256, a.line_no, a.raw_text, 'deal ' || a.deal_id || ': its rows disagree on ' || d.cols AS reason
FROM api a JOIN disagree d ON a.deal_id = d.deal_id WHERE d.cols <> ''
UNION ALL
SELECT payload_sha256, line_no, raw_text, 'deal ' || deal_id || ': second row for delivery year ' || delivery_year
FROM (SELECT *, row_number() OVER (PARTITION BY deal_id, delivery_year ORDER BY {ORDER}) AS n FROM api) WHERE n > 1
"""

API_GOOD = """
CREATE OR REPLACE TEMP TABLE _api AS
SELECT t.* FROM _trade t ANTI JOIN _api_bad b USING (payload_sha256, line_no)
WHERE t._reason IS NULL AND t.source_format = 'trade-register-csv'
"""


def _first(col: str) -> str:
    return f"arg_min({col}, ({ORDER})) AS {col}"


API_DEALS = f"""
INSERT INTO deal BY NAME
SELECT deal_id, {", ".join(f"any_value({c}) AS {c}" for c in DEAL_LEVEL if c not in ("supplier", "recipient"))},
    any_value(supplier) AS supplier_name, any_value(recipient) AS recipient_name,
    {_first("source_format")}, {_first("source_release")}, {_first("payload_sha256")},
    coalesce(sum(numbers_delivered), 0) AS numbers_delivered,
    coalesce(bool_or(numbers_delivered_is_estimate), FALSE) AS numbers_delivered_is_estimate,
    CASE WHEN count(tiv_delivered) > 0 THEN sum(tiv_delivered) END AS tiv_delivered,
    min(delivery_year) AS first_delivery_year, max(delivery_year) AS last_delivery_year
FROM _api GROUP BY deal_id ORDER BY deal_id
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
LEGACY_YEARS = """
CREATE OR REPLACE TEMP TABLE _legacy_years AS
SELECT deal_id, payload_sha256, source_release, CAST(y AS INTEGER) AS delivery_year
FROM (SELECT deal_id, payload_sha256, source_release, unnest(string_split(coalesce(delivery_years, ''), '; ')) AS y
      FROM _trade WHERE _reason IS NULL AND source_format = 'legacy-export')
WHERE y <> ''
"""
LEGACY_DEALS = """
INSERT INTO deal BY NAME
SELECT t.* EXCLUDE (supplier, recipient, line_no, raw_text, sipri_id, delivery_year, delivery_year_is_estimate,
                    delivery_years, payload_seq, _reason),
    t.supplier AS supplier_name, t.recipient AS recipient_name, y.first_delivery_year, y.last_delivery_year
FROM _trade t
LEFT JOIN (SELECT deal_id, min(delivery_year) AS first_delivery_year, max(delivery_year) AS last_delivery_year
           FROM _legacy_years GROUP BY deal_id) y ON y.deal_id = t.deal_id
WHERE t._reason IS NULL AND t.source_format = 'legacy-export'
ORDER BY t.deal_id
"""
LEGACY_DELIVERIES = (  # sorted: the primary-key index is built faster from ordered keys
    "INSERT INTO delivery BY NAME SELECT DISTINCT * FROM _legacy_years ORDER BY deal_id, delivery_year"
)
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
    the deals with three or more are summed here, vectorised across deals (one numpy pass per position).
    """
    lists = con.sql(TIV_LISTS).to_arrow_table()
    if lists.num_rows == 0:
        return
    v = lists.column("v").combine_chunks()
    offsets, values = v.offsets.to_numpy(), v.values.to_numpy(zero_copy_only=False)
    starts, lengths = offsets[:-1], np.diff(offsets)
    total, comp = np.zeros(len(starts)), np.zeros(len(starts))
    for j in range(int(lengths.max())):
        on = lengths > j
        y = values[starts[on] + j] - comp[on]
        t = total[on] + y
        comp[on] = (t - total[on]) - y
        total[on] = t
    con.register("_kahan", pa.table({"deal_id": lists.column("deal_id"), "tiv": total}))
    con.execute("UPDATE deal SET tiv_delivered = k.tiv FROM _kahan k WHERE deal.deal_id = k.deal_id")
    con.unregister("_kahan")


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
        con.execute(LEGACY_YEARS)
        con.execute(LEGACY_DEALS)
        con.execute(LEGACY_DELIVERIES)
        con.execute("DELETE FROM quarantine WHERE source = 'sipri' AND stage = 'resolve'")
        con.execute(QUARANTINE)
        record_loaded(con, "sipri", table_frame(con, LOADED))
        deals, tiv = con.execute("SELECT count(*), round(coalesce(sum(tiv_delivered), 0), 2) FROM deal").fetchone()
        deliveries = con.execute("SELECT count(*) FROM delivery").fetchone()[0]
        quarantined = con.execute(
            "SELECT (SELECT count(*) FROM _trade WHERE _reason IS NOT NULL) + (SELECT count(*) FROM _api_bad)"
        ).fetchone()[0]
        for table in ("_trade", "_api_bad", "_api", "_legacy_years"):
            con.execute(f"DROP TABLE {table}")
    return {"deals": deals, "deliveries": deliveries, "quarantined": quarantined, "tiv_delivered": tiv}
