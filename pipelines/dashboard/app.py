"""armsflow dashboard: Streamlit app over the published warehouse (run with `armsflow dashboard`).

Why Streamlit: it is the maintained, pure-Python choice (no Node toolchain, unlike Evidence), installs from PyPI
with the rest of armsflow, reruns a page script on every filter change (our queries take milliseconds on the
~30k-deal register, so no server-side state is needed), and ships the widgets the pages need (selectors, sliders,
tables, Altair charts, CSV download). Every query opens the published DuckDB file read-only and closes it
(see data.py), so the dashboard never blocks or breaks a refresh and shows a newly published warehouse on reload.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).parent / "views"  # not "pages/": that name makes Streamlit add its own page list

st.set_page_config(page_title="armsflow", layout="wide")
st.navigation(
    [
        st.Page(VIEWS / "relationship.py", title="Relationship", url_path="relationship", default=True),
        st.Page(VIEWS / "explorer.py", title="Explorer", url_path="explorer"),
        st.Page(VIEWS / "country.py", title="Country", url_path="country"),
        st.Page(VIEWS / "quality.py", title="Data quality and provenance", url_path="quality"),
    ]
).run()
