"""Write data_contracts/reference/dependent_territories.csv from Wikipedia's ISO 3166-1 table.

Input (named): the table of https://en.wikipedia.org/wiki/ISO_3166-1 ("Sovereignty" column) as saved in
github.com/R-Shief/data-r-shief @ e419a408c69ced96b3ac463438b1bb6a373321c8 (2020-10-08), public/data/iso-3166.js.
Every code whose sovereignty is neither "UN member state", "UN observer" nor "disputed" is a dependent territory of
the named state ("British Crown": the Crown Dependencies, sovereign the United Kingdom); Antarctica ("Antarctic
Treaty") has no sovereign. The Cook Islands and Niue (sovereignty "New Zealand") are left out: they are states in
free association with their own treaty actions (UNODA lists them as parties to the BWC and the TPNW).

    python -m pipelines.recorded.extract.dependent_territories /path/to/iso-3166.js \
        > data_contracts/reference/dependent_territories.csv
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

SOVEREIGN = {
    "United Kingdom": "GBR",
    "British Crown": "GBR",
    "France": "FRA",
    "United States": "USA",
    "Netherlands": "NLD",
    "Australia": "AUS",
    "New Zealand": "NZL",
    "Norway": "NOR",
    "Denmark": "DNK",
    "China": "CHN",
    "Finland": "FIN",
    "Antarctic Treaty": "",
}
OWN_TREATY_ACTIONS = {"COK", "NIU"}
SOURCE = (
    "https://en.wikipedia.org/wiki/ISO_3166-1 Sovereignty column, as saved in github.com/R-Shief/data-r-shief "
    "@ e419a408 public/data/iso-3166.js (2020-10-08)"
)


def main(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rows = json.loads(text[text.index("[") : text.rindex("]") + 1])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["entity_id", "name", "sovereign_id", "sovereignty_as_published", "source"])
    for r in sorted(rows, key=lambda r: r["Alpha-3 code"]):
        sov = r["Sovereignty"].strip()
        if sov in ("UN member state", "UN observer") or sov.startswith("disputed"):
            continue
        if r["Alpha-3 code"] in OWN_TREATY_ACTIONS:
            continue
        name = re.sub(r"\s*\[[^\]]*\]", "", r["Country name"]).strip()
        out.writerow([r["Alpha-3 code"], name, SOVEREIGN[sov], sov, SOURCE])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
