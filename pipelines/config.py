"""Settings from the environment: paths and endpoints are configuration, never code."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
CONTRACTS_DIR = REPO_ROOT / "data_contracts"
RECORDED_DIR = Path(__file__).resolve().parent / "recorded"

DEFAULT_URLS = {
    "sipri": "https://atbackend.sipri.org",
    "unoda": "https://gql-api-dataportal.unoda.org",
    "wikidata": "https://query.wikidata.org",
}
SOURCES = tuple(DEFAULT_URLS)
USER_AGENT = "armsflow/0.1 (arms-transfer research pipeline; https://github.com/armsflow/armsflow)"


def reference_dir() -> Path:
    """Curated reference facts (entities, aliases, alliances, nuclear facts); ARMSFLOW_REFERENCE_DIR overrides."""
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
    live: bool = False

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def build_path(self) -> Path:
        """The private file every step writes into; readers never open it."""
        return self.home / "build" / "warehouse.duckdb"

    @property
    def published_path(self) -> Path:
        """The file dashboards read; replaced only by an atomic rename."""
        return self.home / "warehouse.duckdb"

    def with_live(self, live: bool) -> "Settings":
        return Settings(self.home, self.urls, self.timeout_s, self.retries, self.backoff_s, live)


def load_settings(live: bool | None = None) -> Settings:
    """Read ARMSFLOW_* variables; the defaults are the real public endpoints and ./.armsflow."""
    urls = {src: os.environ.get(f"ARMSFLOW_{src.upper()}_URL", url).rstrip("/") for src, url in DEFAULT_URLS.items()}
    if live is None:
        live = os.environ.get("ARMSFLOW_MODE", "replay").lower() == "live"
    return Settings(
        home=Path(os.environ.get("ARMSFLOW_HOME", ".armsflow")).resolve(),
        urls=urls,
        timeout_s=_float_env("ARMSFLOW_TIMEOUT", 30.0),
        retries=int(os.environ.get("ARMSFLOW_RETRIES", "3")),
        backoff_s=_float_env("ARMSFLOW_BACKOFF", 1.0),
        live=live,
    )
