"""`armsflow status`: every kept release per source (distinct payload sets in load_manifest), which is current.

SQL only (duckdb), so `status` stays fast.
"""

from __future__ import annotations

RELEASES_SQL = """
WITH b AS (
    SELECT source, batch_id, list_sort(list(sha256)) AS shas, any_value(source_release) AS label,
           any_value(origin) AS origin, min(fetched_at) AS fetched_at, sum(rows_in) AS rows_in,
           sum(rows_loaded) AS rows_loaded
    FROM load_manifest GROUP BY source, batch_id
), cur AS (SELECT source, max(batch_id) AS batch_id FROM load_manifest GROUP BY source)
SELECT b.source, min(b.batch_id) AS release_id, any_value(label) AS label, any_value(origin) AS origin,
       strftime(min(fetched_at), '%Y-%m-%d') AS fetched, max(rows_in) AS rows_in, max(rows_loaded) AS rows_loaded,
       count(*) AS loads, bool_or(cur.batch_id IS NOT NULL) AS is_current
FROM b LEFT JOIN cur ON cur.batch_id = b.batch_id
GROUP BY b.source, b.shas ORDER BY b.source, release_id
"""


def print_releases(con, out=None) -> None:
    import sys

    out = out or sys.stdout
    rows = con.execute(RELEASES_SQL).fetchall()
    out.write("releases kept (distinct payload sets; `armsflow refresh --release ID` makes one current):\n")
    for source, rid, label, origin, fetched, rows_in, loaded, loads, current in rows:
        mark = "*" if current else " "
        label = label or "no label"
        label = label if len(label) <= 40 else label[:39] + "…"
        out.write(
            f" {mark} {source:<10} {rid:<34} {label:<40} {origin:<9} first loaded {fetched}, "
            f"rows {rows_in or 0:,} in / {loaded or 0:,} loaded, loaded {loads}x\n"
        )
    out.write("   (* = current)\n")
