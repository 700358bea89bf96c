"""Settings from the environment, read once at the edge (CLI ``main``, the Dagster resource) and passed down.

Paths and endpoints are configuration, never code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .targets import Target, load_target

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
CONTRACTS_DIR = REPO_ROOT / "data_contracts"
RECORDED_DIR = Path(__file__).resolve().parent / "recorded"

DEFAULT_URLS = {
    "sipri": "https://atbackend.sipri.org",
    "unoda": "https://gql-api-dataportal.unoda.org",
    "wikidata": "https://query.wikidata.org",
}
LIVE_SOURCES = tuple(DEFAULT_URLS)
# SIPRI's TIV tables, ATOP and COW have no API to pull: they come from the bundled recordings or an import.
SOURCES = (*LIVE_SOURCES, "sipri_tiv", "atop", "cow")
USER_AGENT = "armsflow/0.1 (arms-transfer research pipeline; https://github.com/armsflow/armsflow)"


def reference_dir() -> Path:
    """Curated reference facts; ARMSFLOW_REFERENCE_DIR overrides (read at the edge, kept on Settings)."""
    return Path(os.environ.get("ARMSFLOW_REFERENCE_DIR", CONTRACTS_DIR / "reference"))


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    home: Path
    urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 30.0  # cap on any single wait between attempts, Retry-After included
    reference_dir: Path = field(default_factory=reference_dir)
    recorded_dir: Path = RECORDED_DIR
    target: Target = field(default_factory=lambda: Target("local"))  # where checked builds are published

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def builds_dir(self) -> Path:
        """Private build folders, one per run; removed when the run ends, swept by the next run after a crash."""
        return self.home / "build"

    @property
    def published_path(self) -> Path:
        """The file dashboards read; replaced only by an atomic rename."""
        return self.home / "warehouse.duckdb"

    @property
    def lock_path(self) -> Path:
        return self.home / "run.lock"

    @property
    def run_log_path(self) -> Path:
        """Every run's record, published or not (one JSON object per line)."""
        return self.home / "runs.jsonl"

    def with_home(self, home: Path) -> Settings:
        return replace(self, home=home)


def load_settings() -> Settings:
    """Read ARMSFLOW_* variables; the defaults are the real public endpoints and ./.armsflow."""
    urls = {src: os.environ.get(f"ARMSFLOW_{src.upper()}_URL", url).rstrip("/") for src, url in DEFAULT_URLS.items()}
    timeout = _float_env("ARMSFLOW_TIMEOUT", 30.0)
    return Settings(
        home=Path(os.environ.get("ARMSFLOW_HOME", ".armsflow")).resolve(),
        urls=urls,
        timeout_s=timeout,
        retries=int(os.environ.get("ARMSFLOW_RETRIES", "3")),
        backoff_s=_float_env("ARMSFLOW_BACKOFF", 1.0),
        max_wait_s=_float_env("ARMSFLOW_MAX_WAIT", max(timeout, 1.0)),
        reference_dir=reference_dir(),
        target=load_target(),
    )
