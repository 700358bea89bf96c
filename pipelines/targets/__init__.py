"""Where a checked build is published: the local file (default) or a DuckLake catalog for teams.

``ARMSFLOW_WAREHOUSE`` unset or ``local`` keeps the embedded single file. ``ducklake:postgres:<libpq string>``
(e.g. ``ducklake:postgres:dbname=armsflow host=db.example.org port=5432 user=armsflow``) publishes into a DuckLake
whose catalog lives in PostgreSQL and whose data is Parquet under ``ARMSFLOW_DATA_PATH``. Passwords belong in
``PGPASSWORD`` or ``~/.pgpass`` (read by libpq), never in the URI, so they never appear in messages or logs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..errors import ArmsflowError

SUPPORTED_CATALOGS = ("postgres:",)


class TargetMisconfigured(ArmsflowError):
    pass


@dataclass(frozen=True)
class Target:
    kind: str  # "local" | "ducklake"
    uri: str = ""  # the full "ducklake:postgres:..." string
    data_path: str = ""

    @property
    def is_ducklake(self) -> bool:
        return self.kind == "ducklake"


def redact(uri: str) -> str:
    """The URI as it may appear in a message: any password= value replaced."""
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", uri, flags=re.IGNORECASE)


def parse_target(warehouse: str | None, data_path: str | None) -> Target:
    value = (warehouse or "").strip()
    if value in ("", "local"):
        return Target("local")
    if not value.startswith("ducklake:"):
        raise TargetMisconfigured(
            f"ARMSFLOW_WAREHOUSE={redact(value)!r} is not understood: use `local` (the default "
            "single file) or `ducklake:postgres:dbname=... host=... port=... user=...`."
        )
    catalog = value.removeprefix("ducklake:")
    if not catalog.startswith(SUPPORTED_CATALOGS):
        raise TargetMisconfigured(
            f"ARMSFLOW_WAREHOUSE={redact(value)!r}: only a PostgreSQL DuckLake catalog is "
            "supported (`ducklake:postgres:dbname=... host=...`)."
        )
    if not data_path:
        raise TargetMisconfigured(
            "ARMSFLOW_WAREHOUSE names a DuckLake catalog but ARMSFLOW_DATA_PATH is empty: set "
            "it to the shared folder (or object-storage prefix) where the Parquet files go."
        )
    return Target("ducklake", value, data_path)


def load_target() -> Target:
    return parse_target(os.environ.get("ARMSFLOW_WAREHOUSE"), os.environ.get("ARMSFLOW_DATA_PATH"))
