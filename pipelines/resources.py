"""The one Dagster resource: how to reach the sources and where the warehouse lives (from ARMSFLOW_* variables)."""
from __future__ import annotations

import dagster as dg

from .config import Settings, load_settings


class ArmsflowResource(dg.ConfigurableResource):
    """mode 'replay' reads the bundled recorded responses; 'live' fetches ARMSFLOW_*_URL (real endpoints by default)."""

    mode: str = "replay"

    def settings(self, fetching: bool = False) -> Settings:
        return load_settings(live=fetching and self.mode == "live")
