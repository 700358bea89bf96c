"""Explorer: every deal, filtered by parties, weapon category, years, status and alliance/treaty conditions."""

from __future__ import annotations

import altair as alt
import streamlit as st

from pipelines.dashboard.common import load
from pipelines.dashboard.data import STATUS_FILTERS

st.title("Explorer")
opts = load("explorer_options")
if opts["min_year"] is None:
    st.info("The warehouse holds no deals.")
    st.stop()
c1, c2, c3 = st.columns(3)
suppliers = c1.multiselect("Supplier", opts["suppliers"], key="ex_supplier")
recipients = c2.multiselect("Recipient", opts["recipients"], key="ex_recipient")
categories = c3.multiselect("Weapon category", opts["categories"], key="ex_category")
c4, c5, c6 = st.columns(3)
lo, hi = int(opts["min_year"]), int(opts["max_year"])
years = c4.slider("Order years", lo, max(hi, lo + 1), (lo, max(hi, lo + 1)), key="ex_years")
statuses = c5.multiselect("Status", opts["statuses"], key="ex_status")
conditions = c6.multiselect("Alliance / treaty status (at order time)", list(STATUS_FILTERS), key="ex_conditions")

frame = load(
    "explorer",
    suppliers=tuple(suppliers),
    recipients=tuple(recipients),
    categories=tuple(categories),
    statuses=tuple(statuses),
    years=tuple(years),
    conditions=tuple(conditions),
)
st.markdown(f"**{len(frame):,} deals shown**")
if len(frame):
    has_tiv = frame["tiv_delivered"].notna().any()
    per_year = frame.groupby("order_year", as_index=False).agg(
        deals=("deal_id", "count"), tiv_delivered=("tiv_delivered", "sum")
    )
    y = alt.Y("tiv_delivered:Q", title="TIV delivered (millions)") if has_tiv else alt.Y("deals:Q", title="Deals")
    st.altair_chart(
        alt.Chart(per_year)
        .mark_bar()
        .encode(x=alt.X("order_year:O", title="Order year"), y=y, tooltip=["order_year", "deals", "tiv_delivered"]),
        use_container_width=True,
    )
st.dataframe(frame, hide_index=True, use_container_width=True)
st.download_button(
    "Download these deals as CSV",
    frame.to_csv(index=False).encode("utf-8"),
    file_name="armsflow_deals.csv",
    mime="text/csv",
)
