"""SIPRI's whole register of 2024-04-13 (both shared files merged as one saved API response) loads with every
blocking check passing, and its per-year sums reproduce SIPRI's TIV table of the same pull.

Uses the real files in ../shared/samples/sipri (not part of the repository): skipped when they are absent.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.recorded.extract import sipri_subset
from tests.conftest import refreshed_home

# runs with contracts validate in this process's kept contract worker (conftest.warm_contracts)
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("warm_contracts")]

SAMPLES = next(
    (
        p
        for p in (Path(__file__).resolve().parents[1] / "../shared/samples/sipri", Path("/work/shared/samples/sipri"))
        if (p / sipri_subset.TIV_FILE).is_file()
    ),
    None,
)


@pytest.mark.skipif(
    SAMPLES is None,
    reason="SIPRI's 2024-04-13 register is not in ../shared/samples/sipri "
    "(shared samples are not part of the repository)",
)
def test_whole_2024_register_loads_and_reconciles(tmp_path_factory, tmp_path, monkeypatch):
    home = refreshed_home(tmp_path_factory, "register_2024")  # import into a home that already has a batch
    monkeypatch.setenv("ARMSFLOW_HOME", str(home))
    whole = tmp_path / "trade-register-csv_1950-2023_2024-04-13.json"
    assert sipri_subset.main([str(SAMPLES), "--whole", str(whole)]) == 0
    # The TIV table first, with the domain rules only; then the register, whose checked run validates every table the
    # two runs rebuilt (the marts hold both files): one run with the contracts instead of two.
    assert main(["import-sipri-tiv", str(SAMPLES / sipri_subset.TIV_FILE), "--no-contracts"]) == 0
    assert main(["import-sipri", str(whole)]) == 0  # published: every blocking check passed
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows_in, loaded, quarantined = con.execute(
            "SELECT rows_in, rows_loaded, rows_quarantined FROM load_manifest WHERE source = 'sipri' "
            "ORDER BY batch_id DESC LIMIT 1"
        ).fetchone()
        assert rows_in == 59157 and loaded + quarantined == rows_in
        assert quarantined == 0  # every name resolves (Micronesia through its curated alias)
        early = con.execute(
            "SELECT failing_rows, sample FROM check_result WHERE check_name = "
            "'deal_delivery_before_order' ORDER BY checked_at DESC LIMIT 1"
        ).fetchone()
        assert early[0] == 1 and "deal_id=8206" in early[1]
        assert con.execute("SELECT count(*), count(DISTINCT party) FROM tiv_country_year").fetchone() == (1527, 119)
        passed, failing, sample = con.execute(
            "SELECT passed, failing_rows, sample FROM check_result WHERE check_name "
            "= 'tiv_table_reconciles' ORDER BY checked_at DESC LIMIT 1"
        ).fetchone()
    # every party and year reproduces SIPRI's table within 1 million TIV (measured: at most 0.5)
    assert passed and failing == 0, sample
