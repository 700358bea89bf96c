"""Relationship: one supplier -> recipient pair over time, with both parties' alliance, NPT and nuclear status."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from pipelines.dashboard.common import entity_picker, fmt, load

st.title("Relationship")
left, right = st.columns(2)
with left:
    supplier = entity_picker("Supplier", load("entity_names", "supplier"), "TUR", "supplier")
with right:
    recipient = entity_picker("Recipient", load("entity_names", "recipient"), "PAK", "recipient")

summary = load("dyad_summary", supplier, recipient)
deals = load("dyad_deals", supplier, recipient)
if not len(deals):
    st.info("No deals between these two in the warehouse.")
    st.stop()

m1, m2, m3, m4 = st.columns(4)
m1.metric("Deals", fmt(summary["deals"]))
m2.metric("Items delivered", fmt(summary["numbers_delivered"]))
m3.metric("TIV delivered (millions)", fmt(summary["tiv_delivered"], 1))
m4.metric("Order years", f"{fmt(summary['first_order_year'])}–{fmt(summary['last_order_year'])}".replace(",", ""))

years = load("dyad_years", supplier, recipient)
has_tiv = years["tiv_delivered"].notna().any()
measure = "tiv_delivered" if has_tiv else "deals_ordered"
title = "TIV delivered (millions)" if has_tiv else "Deals ordered"
x = alt.X("year:O", title=None)
bars = (
    alt.Chart(years)
    .mark_bar()
    .encode(
        x=x,
        y=alt.Y(f"{measure}:Q", title=title),
        tooltip=["year", "deals_ordered", "deals_delivering", "tiv_delivered"],
    )
)
st.altair_chart(bars, use_container_width=True)
if not has_tiv:
    st.caption("The loaded SIPRI data has no per-year TIV (unknown, not zero), so the chart counts deals ordered.")


def _lanes(frame: pd.DataFrame) -> pd.DataFrame:
    """Status per year as bands: one lane per party and status, the value as colour."""
    rows = []
    for r in frame.itertuples():
        shared = ", ".join(r.shared_alliances) if r.shared_alliances is not None and len(r.shared_alliances) else None
        for lane, value in (
            ("supplier NATO", r.supplier_nato),
            ("recipient NATO", r.recipient_nato),
            ("supplier NPT party", r.supplier_npt_party),
            ("recipient NPT party", r.recipient_npt_party),
            ("supplier nuclear status", r.supplier_nuclear_status),
            ("recipient nuclear status", r.recipient_nuclear_status),
            ("shared alliances", shared or "none"),
        ):
            rows.append(
                {
                    "year": r.year,
                    "lane": lane,
                    "value": "no data"
                    if value is None or value is pd.NA
                    else ("yes" if value is True else "no" if value is False else str(value)),
                }
            )
    return pd.DataFrame(rows)


st.subheader("Status on 31 December of each year")
bands = (
    alt.Chart(_lanes(years))
    .mark_rect()
    .encode(
        x=x,
        y=alt.Y("lane:N", title=None, sort=None),
        color=alt.Color("value:N", title="status"),
        tooltip=["year", "lane", "value"],
    )
)
st.altair_chart(bands, use_container_width=True)

st.subheader("Deals (statuses as of 31 December of the order year)")
st.table(deals.set_index("deal_id"))
