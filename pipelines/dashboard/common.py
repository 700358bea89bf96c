"""Streamlit helpers shared by the pages: cached queries keyed by the published file, and entity pickers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from pipelines.dashboard import data


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, version: tuple, args: tuple, kwargs: dict):
    return getattr(data, name)(Path(version[0]), *args, **kwargs)


def load(name: str, *args, **kwargs):
    """Run data.<name> on the published warehouse. The cache key includes the file's inode and mtime, so a
    refresh (an atomic rename of a new file) is picked up on the next interaction or reload."""
    path = data.warehouse_path()
    if not path.exists() and data.lake_connection() is None:
        st.error(
            f"No published warehouse at {path}. Run `armsflow refresh` (or set ARMSFLOW_HOME to the folder "
            "that holds warehouse.duckdb), then reload this page."
        )
        st.stop()
    return _cached(name, data.version(path), args, kwargs)


def entity_picker(label: str, names: pd.DataFrame, default: str, key: str) -> str:
    """A selectbox over entity ids showing names; the choice is kept in the URL (?key=ID) so views can be shared."""
    ids = list(names["entity_id"])
    label_of = dict(zip(names["entity_id"], names["name"], strict=True))
    wanted = st.query_params.get(key, default)
    index = ids.index(wanted) if wanted in ids else (ids.index(default) if default in ids else 0)
    choice = st.selectbox(label, ids, index=index, format_func=lambda i: f"{label_of[i]} ({i})", key=key)
    st.query_params[key] = choice
    return choice


def fmt(value, digits: int = 0) -> str:
    """A metric value; unknown (NULL) is shown as 'unknown', never as 0."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "unknown"
    return f"{value:,.{digits}f}"
