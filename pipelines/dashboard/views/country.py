"""Country: imports and exports by year and partner, and its treaty, alliance and nuclear timeline."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from pipelines.dashboard.common import entity_picker, load

st.title("Country")
entity = entity_picker("Country or entity", load("country_names"), "TUR", "entity")
years = load("country_years", entity)
flows = years[(years["deals_with_imports"] > 0) | (years["deals_with_exports"] > 0)]
has_tiv = years["tiv_imported"].notna().any()
cols = ["tiv_imported", "tiv_exported"] if has_tiv else ["deals_with_imports", "deals_with_exports"]
st.subheader("Imports and exports by year" + (" (TIV, millions)" if has_tiv else " (deals with a delivery)"))
if len(flows):
    long = flows.melt(id_vars="year", value_vars=cols, var_name="flow", value_name="value")
    st.altair_chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("value:Q", title=None),
            color="flow:N",
            xOffset="flow:N",
            tooltip=["year", "flow", "value"],
        ),
        use_container_width=True,
    )
else:
    st.info("No deliveries to or from this entity in the warehouse.")

st.subheader("Partners")
st.dataframe(load("country_partners", entity), hide_index=True, use_container_width=True)

st.subheader("Treaties, alliances and nuclear status")
timeline = load("country_timeline", entity)
if len(timeline):
    timeline = timeline.assign(
        start_date=pd.to_datetime(timeline["start_date"]), end_date=pd.to_datetime(timeline["end_date"])
    )
    st.altair_chart(
        alt.Chart(timeline)
        .mark_bar()
        .encode(
            x=alt.X("start_date:T", title=None),
            x2="end_date:T",
            y=alt.Y("lane:N", title=None, sort=None),
            color=alt.Color("kind:N"),
            tooltip=["lane", "start_date", "end_date", "ongoing", "opened_by", "closed_by", "source"],
        ),
        use_container_width=True,
    )
    st.dataframe(timeline, hide_index=True, use_container_width=True)
else:
    st.info("No treaty, alliance or nuclear-status records for this entity.")
