"""Load the ducklake and postgres DuckDB extensions from their PyPI wheels, never from the network.

DuckDB normally downloads extensions on first use, which fails offline and on air-gapped machines. The
``duckdb-extension-ducklake`` and ``duckdb-extension-postgres`` wheels (the ``[team]`` extra) ship the extension
files under ``<package>/extensions/v<duckdb version>/``. DuckDB derives an extension's entry point from its file
name, and the postgres file's canonical name is ``postgres_scanner``, so the files are linked under their
canonical names in a private per-user directory and loaded by path. Auto-install is switched off on every
connection made here, so a missing file is an error, not a download.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import duckdb

from ..errors import ArmsflowError

# canonical extension name -> the wheel (import name) that ships it
WHEELS = {"postgres_scanner": "duckdb_extension_postgres", "ducklake": "duckdb_extension_ducklake"}
NO_DOWNLOADS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class ExtensionMissing(ArmsflowError):
    def __init__(self, name: str, detail: str):
        super().__init__(
            f"team warehouse: the DuckDB extension {name} is not available: {detail}. Install the team "
            'extra (`pip install -e ".[team]"`), whose wheels ship the extension files for this '
            f"DuckDB version ({duckdb.__version__}); armsflow never downloads extensions at run time."
        )


def _wheel_file(name: str) -> Path:
    package = WHEELS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionMissing(name, f"the Python package {package} is not installed")
    folder = Path(list(spec.submodule_search_locations)[0]) / "extensions" / f"v{duckdb.__version__}"
    files = sorted(folder.glob("*.duckdb_extension"))
    if not files:
        shipped = sorted(p.name for p in folder.parent.glob("v*")) or ["none"]
        raise ExtensionMissing(
            name, f"{package} ships no file for DuckDB v{duckdb.__version__} (it ships {', '.join(shipped)})"
        )
    return files[0]


def extension_paths() -> dict[str, Path]:
    """Canonically named links to the wheel files, made once per user and DuckDB version."""
    folder = Path(tempfile.gettempdir()) / f"armsflow-duckdb-extensions-{os.getuid()}" / f"v{duckdb.__version__}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in WHEELS:
        source = _wheel_file(name)
        link = folder / f"{name}.duckdb_extension"
        if not (link.is_symlink() and Path(os.readlink(link)) == source):
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(source)
            os.replace(tmp, link)  # atomic: concurrent processes never see a half-made link
        paths[name] = link
    return paths


def connect_with_extensions() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with postgres_scanner and ducklake loaded from the wheels."""
    con = duckdb.connect(config=NO_DOWNLOADS)
    for path in extension_paths().values():
        con.execute(f"LOAD '{path}'")
    return con
