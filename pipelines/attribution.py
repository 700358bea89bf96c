"""Curated attribution of treaty actions UNODA files under a successor's name to the state that took them.

UNODA lists the NPT actions of both Yemens under "Yemen". ``treaty_action_attribution.csv`` names each such
action (treaty, state name as UNODA spells it, depositary, date) and the entity that took it, with its source.
"""

from __future__ import annotations

import polars as pl

KEY = ["treaty_id", "state_name", "depositary", "action_date"]


def attribute(actions: pl.DataFrame, overrides: pl.DataFrame) -> pl.DataFrame:
    """Replace entity_id where an override matches the action exactly; every other action is left as resolved."""
    if overrides.height == 0:
        return actions
    table = overrides.select(*KEY, pl.col("entity_id").alias("_attributed")).with_columns(
        pl.col("action_date").cast(pl.Date), pl.col("depositary").fill_null("")
    )
    joined = actions.with_columns(pl.col("depositary").fill_null("")).join(table, on=KEY, how="left")
    return joined.with_columns(pl.coalesce("_attributed", "entity_id").alias("entity_id")).drop("_attributed")
