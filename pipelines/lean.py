"""What a run's process need not import: pandas.

DuckDB's Python client imports pandas (and with it numpy, dateutil, pytz) the first time a query gets a parameter,
and on ``.pl()``, only to ask whether a value is a pandas object: 0.4-0.8 s of an import's CPU here. A run never
hands DuckDB a pandas object (polars frames go through Arrow), so while a run command (refresh, import-*) builds
(``runner.run(lean=True)``, which the CLI passes), pandas is marked as not importable
(``sys.modules["pandas"] = None``); DuckDB, pyarrow and countrycode then take their no-pandas paths. Great
Expectations does need pandas: ``allow_pandas`` lifts the mark before GX is imported in this process (the in-process
contract fallback); the contract worker is its own process and never sees the mark. Other commands (check,
dashboard, docs, query) never set it.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def without_pandas() -> Iterator[None]:
    """Mark pandas as not importable for the block, unless it is already imported (then nothing changes)."""
    if "pandas" in sys.modules:
        yield
        return
    import polars  # noqa: F401  (first: polars notes at import whether pandas can be imported, and keeps the answer)

    sys.modules["pandas"] = None
    try:
        yield
    finally:
        allow_pandas()


def allow_pandas() -> None:
    """Lift ``without_pandas``'s mark (before importing anything that needs pandas); harmless without it."""
    if "pandas" in sys.modules and sys.modules["pandas"] is None:
        del sys.modules["pandas"]
