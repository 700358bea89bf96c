"""Data quality and provenance: runs, check results, quarantined rows, sources and releases, coverage, diffs."""

from __future__ import annotations

import streamlit as st

from pipelines.dashboard.common import load

st.title("Data quality and provenance")
present = load("tables")

st.subheader("Last runs")
runs = load("last_runs")
if runs is None:
    st.caption("This warehouse has no `run` table (run records arrive with a later armsflow version).")
else:
    st.dataframe(runs, hide_index=True, use_container_width=True)

st.subheader("Check results (latest run)")
if "check_result" in present:
    checks = load("check_results")
    failed = checks[~checks["passed"]]
    a, b, c = st.columns(3)
    a.metric("Checks passed", int(checks["passed"].sum()))
    b.metric("Blocking failures", int((failed["severity"] == "error").sum()))
    c.metric("Warnings", int((failed["severity"] == "warn").sum()))
    st.dataframe(checks, hide_index=True, use_container_width=True)
else:
    st.caption("No `check_result` table.")

st.subheader("Quarantined rows")
if "quarantine" in present:
    st.dataframe(load("quarantine_summary"), hide_index=True, use_container_width=True)
    with st.expander("Rows as received (first 200)"):
        st.dataframe(load("quarantine_rows"), hide_index=True, use_container_width=True)
else:
    st.caption("No `quarantine` table.")

st.subheader("Sources and releases")
if "load_manifest" in present:
    st.dataframe(load("sources"), hide_index=True, use_container_width=True)
else:
    st.caption("No `load_manifest` table.")

extra = load("optional_tables")
st.subheader("Coverage and release differences")
if not extra:
    st.caption("No coverage or release-diff tables in this warehouse yet.")
for name, frame in extra.items():
    st.markdown(f"`{name}`")
    st.dataframe(frame, hide_index=True, use_container_width=True)
