"""No-op refresh: when no source gets new data and the code and reference files are those the published
warehouse was built from, a refresh has nothing to do. It says so without copying, rebuilding or re-validating.

Imports only duckdb and the standard library (plus ``runs`` for the lock), so the whole process stays well
under a second. The fingerprint is written into the build as ``build_info`` by the runner before publishing.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import duckdb

from .config import REPO_ROOT, Settings

CODE_GLOBS = (("pipelines", "*.py"), ("sql", "*.sql"), ("data_contracts/suites", "*.json"))


def _tree_hash(root: Path, pattern: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob(pattern)) if root.exists() else []:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(settings: Settings) -> dict[str, str]:
    """Package version + hash of the code (pipelines/**/*.py, sql/, GX suites) + hash of the reference files."""
    return {**_code(), "reference_sha256": _tree_hash(settings.reference_dir, "*")}


@lru_cache(maxsize=1)
def _code() -> dict[str, str]:
    """Once per process (about 0.5 s: the package metadata lookup scans site-packages): a process runs one code."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("armsflow")
    except PackageNotFoundError:
        package = "unknown"
    code = hashlib.sha256("|".join(_tree_hash(REPO_ROOT / d, g) for d, g in CODE_GLOBS).encode()).hexdigest()
    return {"package_version": package, "code_sha256": code}


def write_build_info(con, settings: Settings, run_id: str) -> None:
    """The published file's fingerprint, compared by the next refresh (called by the runner before publishing)."""
    from .warehouse import transaction

    with transaction(con):
        _write_build_info(con, settings, run_id)


def _write_build_info(con, settings: Settings, run_id: str) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);"
        "COMMENT ON TABLE build_info IS 'What this warehouse was built from: package version, code and reference "
        "file hashes, run id; a refresh with the same inputs and no new data is a no-op.';"
        "COMMENT ON COLUMN build_info.key IS 'package_version, code_sha256, reference_sha256 or run_id';"
        "COMMENT ON COLUMN build_info.value IS 'Its value for this published warehouse'"
    )
    rows = {**fingerprint(settings), "run_id": run_id}
    con.executemany("INSERT INTO build_info VALUES (?, ?)", list(rows.items()))


def published_fingerprint(settings: Settings) -> dict[str, str]:
    try:
        with duckdb.connect(str(settings.published_path), read_only=True) as con:
            return dict(con.execute("SELECT key, value FROM build_info WHERE key <> 'run_id'").fetchall())
    except duckdb.Error:
        return {}


def unchanged(settings: Settings) -> bool:
    """The published warehouse was built from this code and these reference files (call under the run lock,
    after deciding that no source has new data: then a refresh has nothing to do)."""
    if not settings.published_path.exists() or settings.target.is_ducklake:
        return False
    built_from = published_fingerprint(settings)
    return bool(built_from) and built_from == fingerprint(settings)


NOOP_MESSAGE = (
    "Nothing to do: no source has new data and the code and reference files are those {path} was built from; it "
    "was left as it is ({seconds:.3f} s). `armsflow refresh --force` rebuilds anyway."
)
