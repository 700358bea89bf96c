"""What a run's process need not import: pandas and pyarrow.

DuckDB's Python client imports pandas (and with it numpy, dateutil, pytz) the first time a query gets a parameter,
and on ``.pl()``, only to ask whether a value is a pandas object: 0.4-0.8 s of an import's CPU here. It also
imports pyarrow (with numpy, ``pyarrow.dataset`` and ``pyarrow.compute``: 0.3-0.45 s of wall time at a run's
start here) whenever it scans an Arrow stream, even one handed over through the Arrow C stream interface, if
pyarrow can be imported. A run needs neither: frames cross between polars and DuckDB through that interface
(``warehouse.register_frame``, ``warehouse.frame_of``), which both read without pyarrow. So while a run command
(refresh, import-*) builds (``runner.run(lean=True)``, which the CLI passes), pandas and pyarrow are marked as not
importable (``sys.modules[name] = None``); DuckDB, polars and countrycode then take their paths without them.
Great Expectations does need pandas: ``allow_pandas`` lifts both marks before GX is imported in this process (the
in-process contract fallback); the contract worker is its own process and never sees them. Other commands (check,
dashboard, docs, query) never set them. ``tests/test_lean.py`` runs every source's steps with the marks set.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

KEPT_OUT = ("pandas", "pyarrow")


@contextlib.contextmanager
def without_pandas() -> Iterator[None]:
    """Mark pandas and pyarrow as not importable for the block, each unless it is already imported."""
    import polars  # noqa: F401  (first: polars notes at import whether pandas can be imported, and keeps the answer)

    marked = [name for name in KEPT_OUT if name not in sys.modules]
    for name in marked:
        sys.modules[name] = None
    try:
        yield
    finally:
        allow_pandas()


def allow_pandas() -> None:
    """Lift ``without_pandas``'s marks (before importing anything that needs pandas); harmless without them."""
    for name in KEPT_OUT:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]
