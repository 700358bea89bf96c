"""`armsflow import-sipri`: a user's legacy export becomes the SIPRI data; other sources stay as they were."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.cli import main
from tests.wire import LEGACY_ROWS, legacy_csv

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("warm_contracts")]


def test_import_replaces_sipri_and_keeps_the_rest(published_home, tmp_path):
    home = published_home  # what `armsflow refresh --no-contracts` publishes
    path = tmp_path / "trade-register.csv"
    path.write_bytes(legacy_csv())
    assert main(["import-sipri", str(path)]) == 1  # 6 deals after 240: the row-count contract refuses a sharp drop ...
    assert main(["import-sipri", str(path), "--accept-smaller"]) == 0  # ... unless the user says it is deliberate
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT source_format) FROM deal").fetchone() == (
            len(LEGACY_ROWS),
            1,
        )
        mushshak = con.execute(
            "SELECT supplier_id, recipient_id, numbers_ordered, numbers_delivered, tiv_delivered, "
            "first_delivery_year, last_delivery_year FROM deal WHERE designation = 'Super Mushshak'"
        ).fetchone()
        assert mushshak == ("PAK", "TUR", 52, 52, 26.0, 2022, 2024)
        years = con.execute(
            "SELECT list(delivery_year ORDER BY delivery_year), count(delivery.numbers_delivered) FROM delivery "
            "JOIN deal USING (deal_id) WHERE designation = 'Super Mushshak'"
        ).fetchone()
        assert years == ([2022, 2023, 2024], 0)  # the per-year split is unknown: nothing is spread
        assert con.execute("SELECT supplier_id FROM deal WHERE recipient_id = 'EGY'").fetchone() == ("CSK",)
        manifest = con.execute(
            "SELECT format, rows_in, rows_loaded, rows_quarantined, request_name, raw_path "
            "FROM load_manifest WHERE source = 'sipri' ORDER BY batch_id DESC LIMIT 1"
        ).fetchone()
        assert manifest[:5] == ("legacy-export", len(LEGACY_ROWS), len(LEGACY_ROWS), 0, "import:trade-register.csv")
        assert open(manifest[5], "rb").read() == path.read_bytes()  # kept as received
        assert con.execute("SELECT count(*) FROM treaty_action").fetchone()[0] > 1000
        assert con.execute("SELECT count(*) FROM mart_transfer_enriched").fetchone()[0] == len(LEGACY_ROWS)


def test_import_of_a_missing_file_is_a_clear_error(home, capsys):
    assert main(["import-sipri", "/nonexistent/export.csv"]) == 1
    assert capsys.readouterr().err.strip() == "armsflow: import-sipri: no such file /nonexistent/export.csv"
