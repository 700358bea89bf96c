"""SIPRI TIV tables in their exact wire format (SOURCES.md §7), for tests: preamble, header, rows, world total."""

from __future__ import annotations

PREAMBLE = [
    "Volume of transfers of major arms",
    "Figures are in millions of SIPRI trend-indicator values (TIVs).",
    "A '0' indicates that the volume of deliveries is between 0 and 0.5 million SIPRI TIV. An empty field "
    "indicates that no deliveries have been identified.",
    "Figures may not add up to stated totals due to the conventions of rounding.",
    "For the method used for the SIPRI TIV see <https://www.sipri.org/databases/armstransfers/sources-and-methods>.",
    "",
    "Source: SIPRI Arms Transfers Database (c) SIPRI.",
    "Data generated: 13 Apr 2024 3:54:15 PM",
    "",
]


def header(first: int, last: int, party_cell: str = "Exports by") -> str:
    years = [str(y) for y in range(first, last + 1)]
    return ",".join([party_cell, *years, f"{first}-{last}", "Percentage", "Sum total years", "Percentage of total"])


def tiv_table(
    rows: list[str], first: int = 2021, last: int = 2023, party_cell: str = "Exports by", head: str | None = None
) -> bytes:
    """rows: 'Party,v2021,v2022,v2023,total,pct,total,pct' lines as SIPRI writes them (values may end in a space)."""
    total = "Total world export," + ",".join(["1"] * (last - first + 1)) + ",3,100%,3,"
    lines = [*PREAMBLE, head or header(first, last, party_cell), *rows, total]
    return ("\n".join(lines) + "\n").encode("ascii")
