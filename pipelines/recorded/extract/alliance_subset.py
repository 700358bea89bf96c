"""Write the bundled ATOP/COW subset and the test fixtures from public copies of the releases.

Inputs (public GitHub repositories, read with `git --git-dir=<mirror> show <commit>:<path>`; fetch the mirrors first):
  ATOP 5.1   jandresgannon/DoDL @ 8f347cd4a7f6068b7502c71e54176212a9895555
             inst/extdata/ATOP/atop5_1m.csv, inst/extdata/ATOP/atop5_1a.csv
  ATOP 4.01  joshuaalley/arms-allies @ 45cdfde68e8d04c2271dcef4dc41140db8a3583d
             data/atop-member-level.csv, data/atop-alliance-level.csv
  COW v4.1   ucdavis/ECS272-Winter2021 @ 41fe3e436ac9a8c5a7443630a2229722bf82e951
             FinalProject/group9/src/datasets/alliance_v4.1_by_member.csv
Lines are copied verbatim (header + the selected rows), so the outputs stay in the original formats.

Usage: python -m pipelines.recorded.extract.alliance_subset /work/.mirror
(the directory holding owner+name/repo mirrors)
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the repository
ATOP5 = (
    "jandresgannon/DoDL",
    "8f347cd4a7f6068b7502c71e54176212a9895555",
    "inst/extdata/ATOP/atop5_1m.csv",
    "inst/extdata/ATOP/atop5_1a.csv",
)
ATOP4 = (
    "joshuaalley/arms-allies",
    "45cdfde68e8d04c2271dcef4dc41140db8a3583d",
    "data/atop-member-level.csv",
    "data/atop-alliance-level.csv",
)
COW = (
    "ucdavis/ECS272-Winter2021",
    "41fe3e436ac9a8c5a7443630a2229722bf82e951",
    "FinalProject/group9/src/datasets/alliance_v4.1_by_member.csv",
)
# The seed story's states (COW codes): Türkiye, Pakistan, India, China, Russia/USSR, US, UK, France, Germany and
# West Germany, East Germany, Israel, Iran, Egypt, Saudi Arabia, Ukraine.
STATES = {640, 770, 750, 710, 365, 2, 200, 220, 255, 260, 265, 666, 630, 651, 670, 369}
FROM_YEAR = 1950  # SIPRI's coverage starts in 1950: older alliances cannot meet a recorded deal
NAMED_ATOP = {3180, 3260, 3275, 3285}  # NATO, SEATO, CENTO, Warsaw Pact (always kept)
NAMED_COW = {227, 238, 241, 243}
FIXTURE_ATOP = {3180, 3275, 1115, 2075}  # NATO, CENTO, and two with an unknown entry or exit day
FIXTURE_COW = {227, 241}


def show(mirrors: Path, repo: str, commit: str, path: str) -> list[str]:
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout
    return out.decode("utf-8").splitlines(keepends=True)


def rows(lines: list[str]) -> list[tuple[str, dict]]:
    header = next(csv.reader([lines[0]]))
    return [(line, dict(zip(header, next(csv.reader([line])), strict=False))) for line in lines[1:] if line.strip()]


def n(v: str) -> int:
    return int(float(v)) if v not in ("", ".") else 0


def atop_selection(members: list[tuple[str, dict]], alliances: list[tuple[str, dict]]) -> set[int]:
    late = {n(r["atopid"]) for _, r in alliances if n(r["endyr"]) == 0 or n(r["endyr"]) >= FROM_YEAR}
    return ({n(r["atopid"]) for _, r in members if n(r["member"]) in STATES} & late) | NAMED_ATOP


def write(path: Path, header: str, lines: list[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "".join(lines), encoding="utf-8")
    return len(lines)


def main(mirrors: Path) -> None:
    rec, fix = ROOT / "pipelines" / "recorded", ROOT / "tests" / "fixtures" / "alliances"
    m5, a5 = show(mirrors, ATOP5[0], ATOP5[1], ATOP5[2]), show(mirrors, ATOP5[0], ATOP5[1], ATOP5[3])
    keep = atop_selection(rows(m5), rows(a5))
    counts = {
        "atop5_1m.csv": write(
            rec / "atop" / "atop5_1m.csv", m5[0], [ln for ln, r in rows(m5) if n(r["atopid"]) in keep]
        ),
        "atop5_1a.csv": write(
            rec / "atop" / "atop5_1a.csv", a5[0], [ln for ln, r in rows(a5) if n(r["atopid"]) in keep]
        ),
    }
    c = show(mirrors, COW[0], COW[1], COW[2])
    c_rows = rows(c)
    late = {n(r["version4id"]) for _, r in c_rows if n(r["all_end_year"]) == 0 or n(r["all_end_year"]) >= FROM_YEAR}
    c_keep = ({n(r["version4id"]) for _, r in c_rows if n(r["ccode"]) in STATES} & late) | NAMED_COW
    counts["alliance_v4.1_by_member.csv"] = write(
        rec / "cow" / "alliance_v4.1_by_member.csv", c[0], [ln for ln, r in c_rows if n(r["version4id"]) in c_keep]
    )
    for source, files, origin in (
        ("atop", ["atop5_1m.csv", "atop5_1a.csv"], ATOP5),
        ("cow", ["alliance_v4.1_by_member.csv"], COW),
    ):
        index = [
            {
                "name": f.removesuffix(".csv"),
                "method": "GET",
                "path": f"/{f}",
                "file": f,
                "release": "ATOP 5.1" if source == "atop" else "COW Formal Alliances 4.1",
                "origin": f"github.com/{origin[0]}@{origin[1]}:{p}",
            }
            for f, p in zip(files, origin[2:] if source == "atop" else origin[2:3], strict=True)
        ]
        (rec / source / "index.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    # Small fixtures: NATO and CENTO rows of each real release, verbatim.
    m4, a4 = show(mirrors, ATOP4[0], ATOP4[1], ATOP4[2]), show(mirrors, ATOP4[0], ATOP4[1], ATOP4[3])
    for name, lines, key in (
        ("atop5_1m.csv", m5, "atopid"),
        ("atop5_1a.csv", a5, "atopid"),
        ("atop4_01m.csv", m4, "atopid"),
        ("atop4_01a.csv", a4, "atopid"),
    ):
        write(fix / name, lines[0], [ln for ln, r in rows(lines) if n(r[key]) in FIXTURE_ATOP])
    write(fix / "alliance_v4.1_by_member.csv", c[0], [ln for ln, r in c_rows if n(r["version4id"]) in FIXTURE_COW])
    print(json.dumps(counts))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror"))
