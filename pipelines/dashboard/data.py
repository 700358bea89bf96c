"""The SQL every dashboard page runs, as plain functions (path + arguments in, pandas frame out).

Each call opens the published warehouse READ-ONLY, runs one query and closes it again, so the dashboard never holds
the file: a refresh replaces it with an atomic rename, and the next call (a browser reload) reads the new one. Tests
call these same functions, so "the numbers on screen equal the SQL" is checked against the code the pages run.
Streamlit-free on purpose: importable and testable without a browser.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..checks import LATEST_CHECKED_RUN
from .source import _LAKE, lake_connection, query, version, warehouse_path  # noqa: F401 (re-exported)

# Named alliance/treaty conditions for the Explorer filter: label -> SQL predicate on mart_transfer_enriched.
# Fixed strings (never user text), so building the WHERE clause from them is safe.
STATUS_FILTERS: dict[str, str] = {
    "supplier is a NATO member": "supplier_nato",
    "supplier is not a NATO member": "NOT supplier_nato",
    "recipient is a NATO member": "recipient_nato",
    "recipient is not a NATO member": "NOT recipient_nato",
    "both share an alliance": "len(list_intersect(coalesce(supplier_alliances, []), "
    "coalesce(recipient_alliances, []))) > 0",
    "recipient is an NPT party": "recipient_npt_party",
    "recipient is not an NPT party": "NOT recipient_npt_party",
    "recipient is nuclear-armed outside the NPT": "recipient_nuclear_status = 'nuclear_armed_outside_npt'",
    "supplier is an ATT party": "supplier_att_party",
    "recipient is an ATT party": "recipient_att_party",
}

EXPLORER_COLUMNS = (
    "deal_id",
    "order_year",
    "supplier",
    "recipient",
    "designation",
    "description",
    "armament_category",
    "status",
    "numbers_ordered",
    "numbers_delivered",
    "first_delivery_year",
    "last_delivery_year",
    "tiv_delivered",
    "supplier_nato",
    "recipient_nato",
    "supplier_npt_party",
    "recipient_npt_party",
    "supplier_nuclear_status",
    "recipient_nuclear_status",
    "supplier_alliances",
    "recipient_alliances",
)


def tables(path: Path) -> set[str]:
    return set(query(path, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")["table_name"])


def entity_names(path: Path, role: str) -> pd.DataFrame:
    """Entities that appear as supplier or recipient (role), for pickers."""
    col = {"supplier": "supplier_id", "recipient": "recipient_id"}[role]
    return query(
        path,
        f"""SELECT entity_id, name FROM entity WHERE entity_id IN (SELECT {col} FROM deal)
                           ORDER BY name""",
    )


def country_names(path: Path) -> pd.DataFrame:
    return query(
        path,
        """SELECT entity_id, name FROM entity WHERE entity_id IN
                          (SELECT supplier_id FROM deal UNION SELECT recipient_id FROM deal
                           UNION SELECT entity_id FROM membership) ORDER BY name""",
    )


# --- Relationship -------------------------------------------------------------------------------------------------


def dyad_deals(path: Path, supplier: str, recipient: str) -> pd.DataFrame:
    return query(
        path,
        """
        SELECT deal_id, order_year, designation, description, armament_category, status, numbers_ordered,
               numbers_delivered, first_delivery_year, last_delivery_year, tiv_delivered,
               supplier_nato, recipient_nato, supplier_npt_party, recipient_npt_party,
               supplier_nuclear_status, recipient_nuclear_status
        FROM mart_transfer_enriched WHERE supplier_id = $s AND recipient_id = $r
        ORDER BY order_year, deal_id""",
        {"s": supplier, "r": recipient},
    )


def dyad_summary(path: Path, supplier: str, recipient: str) -> dict:
    row = query(
        path,
        """
        SELECT count(*) AS deals, sum(numbers_delivered) AS numbers_delivered, sum(tiv_delivered) AS tiv_delivered,
               min(order_year) AS first_order_year, max(order_year) AS last_order_year
        FROM mart_transfer_enriched WHERE supplier_id = $s AND recipient_id = $r""",
        {"s": supplier, "r": recipient},
    )
    return row.iloc[0].to_dict()


def dyad_years(path: Path, supplier: str, recipient: str) -> pd.DataFrame:
    """Every year from the first order to the last delivery: deals ordered, TIV delivered, both parties' status."""
    return query(
        path,
        """
        WITH d AS (SELECT * FROM deal WHERE supplier_id = $s AND recipient_id = $r),
        bounds AS (SELECT min(least(order_year, coalesce(first_delivery_year, order_year))) AS lo,
                          max(greatest(order_year, coalesce(last_delivery_year, order_year))) AS hi FROM d),
        years AS (SELECT unnest(range(lo, hi + 1)) AS year FROM bounds WHERE lo IS NOT NULL),
        ordered AS (SELECT order_year AS year, count(*) AS deals_ordered FROM d GROUP BY 1)
        SELECT y.year, coalesce(o.deals_ordered, 0) AS deals_ordered, coalesce(dy.deals, 0) AS deals_delivering,
               dy.numbers_delivered, dy.tiv_delivered,
               s.nato AS supplier_nato, r.nato AS recipient_nato,
               list_contains(s.treaties_party, 'NPT') AS supplier_npt_party,
               list_contains(r.treaties_party, 'NPT') AS recipient_npt_party,
               s.nuclear_status AS supplier_nuclear_status, r.nuclear_status AS recipient_nuclear_status,
               list_intersect(coalesce(s.alliances, []), coalesce(r.alliances, [])) AS shared_alliances
        FROM years y
        LEFT JOIN ordered o USING (year)
        LEFT JOIN mart_dyad_year dy ON dy.supplier_id = $s AND dy.recipient_id = $r AND dy.year = y.year
        LEFT JOIN mart_country_year s ON s.entity_id = $s AND s.year = y.year
        LEFT JOIN mart_country_year r ON r.entity_id = $r AND r.year = y.year
        ORDER BY y.year""",
        {"s": supplier, "r": recipient},
    )


# --- Explorer -----------------------------------------------------------------------------------------------------


def explorer_options(path: Path) -> dict:
    row = query(
        path,
        """SELECT list(DISTINCT supplier ORDER BY supplier) AS suppliers,
                                list(DISTINCT recipient ORDER BY recipient) AS recipients,
                                list(DISTINCT coalesce(armament_category, description)
                                     ORDER BY coalesce(armament_category, description))
                                    FILTER (WHERE coalesce(armament_category, description) IS NOT NULL) AS categories,
                                list(DISTINCT status ORDER BY status) FILTER (WHERE status IS NOT NULL) AS statuses,
                                min(order_year) AS min_year, max(order_year) AS max_year
                         FROM mart_transfer_enriched""",
    ).iloc[0]
    return {k: (list(v) if hasattr(v, "__len__") and not isinstance(v, str) else v) for k, v in row.items()}


def explorer_sql(
    suppliers=(), recipients=(), categories=(), statuses=(), years=None, conditions=()
) -> tuple[str, list]:
    """The Explorer's query for the chosen filters (empty filter = no restriction); returns SQL and parameters."""
    where, params = [], []
    for column, values in (
        ("supplier", suppliers),
        ("recipient", recipients),
        ("coalesce(armament_category, description)", categories),
        ("status", statuses),
    ):
        if values:
            where.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params += list(values)
    if years:
        where.append("order_year BETWEEN ? AND ?")
        params += [int(years[0]), int(years[1])]
    where += [f"coalesce({STATUS_FILTERS[c]}, FALSE)" for c in conditions]
    sql = (
        f"SELECT {', '.join(EXPLORER_COLUMNS)} FROM mart_transfer_enriched"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY order_year, supplier, recipient, deal_id"
    )
    return sql, params


def explorer(path: Path, **filters) -> pd.DataFrame:
    sql, params = explorer_sql(**filters)
    return query(path, sql, params)


# --- Country ------------------------------------------------------------------------------------------------------


def country_years(path: Path, entity: str) -> pd.DataFrame:
    return query(
        path,
        """SELECT year, tiv_imported, tiv_exported, deals_with_imports, deals_with_exports, nato,
                                 nuclear_status, alliances, treaties_party
                          FROM mart_country_year WHERE entity_id = ? ORDER BY year""",
        [entity],
    )


def country_partners(path: Path, entity: str) -> pd.DataFrame:
    """Partners in both directions: deals ordered and TIV delivered, all years."""
    return query(
        path,
        """
        SELECT 'exports to' AS direction, recipient AS partner, count(*) AS deals, sum(tiv_delivered) AS tiv_delivered,
               min(order_year) AS first_order_year, max(order_year) AS last_order_year
        FROM mart_transfer_enriched WHERE supplier_id = $e GROUP BY ALL
        UNION ALL
        SELECT 'imports from', supplier, count(*), sum(tiv_delivered), min(order_year), max(order_year)
        FROM mart_transfer_enriched WHERE recipient_id = $e GROUP BY ALL
        ORDER BY direction, deals DESC, partner""",
        {"e": entity},
    )


def country_timeline(path: Path, entity: str) -> pd.DataFrame:
    """Memberships and nuclear status as intervals, for a timeline (open intervals end today)."""
    return query(
        path,
        """
        SELECT o.org_id || ' (' || m.role || ')' AS lane, o.kind, m.start_date,
               coalesce(m.end_date, current_date) AS end_date,
               m.end_date IS NULL AS ongoing, m.opened_by, m.closed_by, m.source
        FROM membership m JOIN organisation o USING (org_id) WHERE m.entity_id = $e
        UNION ALL
        SELECT 'nuclear: ' || status, 'nuclear status', start_date, coalesce(end_date, current_date), end_date IS NULL,
               basis, NULL, 'derived'
        FROM nuclear_status WHERE entity_id = $e
        ORDER BY kind, lane, start_date""",
        {"e": entity},
    )


# --- Data quality and provenance ----------------------------------------------------------------------------------


def last_runs(path: Path) -> pd.DataFrame | None:
    if "run" not in tables(path):
        return None
    # by start time: Dagster run ids are UUIDs, which sort after every (timestamped) CLI id whatever their age
    return query(path, "SELECT * FROM run ORDER BY started_at DESC, run_id DESC LIMIT 20")


def check_results(path: Path) -> pd.DataFrame:
    return query(
        path,
        f"""SELECT check_name, asset, kind, severity, passed, failing_rows, description, hint, sample,
                                 checked_at
                          FROM check_result WHERE run_id = {LATEST_CHECKED_RUN}
                          ORDER BY passed, severity, check_name""",
    )


def quarantine_summary(path: Path) -> pd.DataFrame:
    return query(
        path,
        """SELECT source, stage, reason, count(*) AS rows FROM quarantine GROUP BY ALL
                          ORDER BY rows DESC, source, reason""",
    )


def quarantine_rows(path: Path, limit: int = 200) -> pd.DataFrame:
    return query(path, "SELECT * FROM quarantine ORDER BY source, payload_sha256, line_no LIMIT ?", [limit])


def sources(path: Path) -> pd.DataFrame:
    return query(
        path,
        """SELECT source, batch_id, request_name, source_release, format, fetched_at, bytes, rows_in,
                                 rows_loaded, rows_quarantined, sha256, url
                          FROM load_manifest ORDER BY fetched_at DESC, source, request_name""",
    )


def optional_tables(path: Path, words: tuple[str, ...] = ("coverage", "diff")) -> dict[str, pd.DataFrame]:
    """Tables other helpers may add (coverage per treaty, release diff): shown when present, skipped when not."""
    names = sorted(t for t in tables(path) if any(w in t for w in words))
    return {t: query(path, f'SELECT * FROM "{t}" LIMIT 500') for t in names}
