"""Legacy deals and their deliveries come out the same whether the deal step writes them one after the other or
side by side through a second cursor (``stages/deals.insert_legacy``, ``RunContext.at_once``)."""

from __future__ import annotations

import duckdb

from pipelines.sources.sipri_stage import create_trade_table, stage_payload
from pipelines.stages.deals import RESOLVE, insert_legacy
from pipelines.warehouse import attach_staging, ensure_tables, sql_text
from tests.wire import LEGACY_ROWS, legacy_csv

ROWS = [*LEGACY_ROWS, *(r.replace(",2018,", f",{1990 + i},") for i, r in enumerate(LEGACY_ROWS[:1] * 40))]


def legacy_tables(tmp_path, at_once: int) -> tuple[list, list]:
    path = tmp_path / "export.csv"
    path.write_bytes(legacy_csv(ROWS))
    with duckdb.connect() as con:
        attach_staging(con)
        ensure_tables(con, "quarantine", "entity_alias")
        create_trade_table(con)
        stage_payload(con, path, "legacy-export", "0" * 64, "export.csv")
        con.execute(  # every name resolves to itself, but one: its deals go to quarantine, not into deal
            "INSERT INTO entity_alias (source, raw_name, entity_id, resolved_by) SELECT 'sipri', n, upper(n), 'name' "
            "FROM (SELECT supplier AS n FROM staging.sipri_trade UNION SELECT recipient FROM staging.sipri_trade) "
            "WHERE n <> 'Egypt'"
        )
        con.execute(RESOLVE)
        con.execute(sql_text("tables/deal.sql"))
        con.execute(sql_text("tables/delivery.sql"))
        insert_legacy(con, at_once)
        return (
            con.execute("SELECT * FROM deal ORDER BY deal_id").fetchall(),
            con.execute("SELECT * FROM delivery ORDER BY deal_id, delivery_year").fetchall(),
        )


def test_side_by_side_writes_what_one_after_the_other_writes(tmp_path):
    deals, deliveries = legacy_tables(tmp_path, 1)
    assert len(deals) == len(ROWS) - 1 and len(deliveries) > len(deals)  # Egypt's deal is not loaded
    assert legacy_tables(tmp_path, 2) == (deals, deliveries)
