"""Rebuild pipelines/recorded/unoda/*.json from public copies of the depositaries' status lists.

Inputs (named, never guessed; see pipelines/recorded/unoda/SOURCES.md):
  --untc DIR     UN Treaty Collection status pages (chapter XXVI), as saved in
                 github.com/mgaldino/treaties-ideal-point @ 746a24fa99b65d0834f8cd6b79f458a180c338cf,
                 data/raw/arms_control/html/{att,ctbt,cwc,tpnw}.html ("STATUS AS AT : 03-02-2026").
  --timeline F   survivalscores.org's rendered timeline of UNODA treaty actions, as published in
                 github.com/arthuredelstein/survivalscores.org @ b7cc254a44bd6c459d4b5c200ee3e11e1cc9da32
                 (branch gh-pages, 2026-08-22), timeline.html. It is built from UNODA's GraphQL API.

ATT, CTBT, CWC and TPNW (the UN Secretary-General is depositary) are rewritten whole from UNTC. NPT and BWC keep the
existing per-depositary actions and gain the states and actions UNODA lists that they lack (depositary unknown:
null). PTBT has no complete public copy here and is left as it is. Prints what changed and the depositary counts.

    python -m pipelines.recorded.extract.treaty_recordings --untc /tmp/untc --timeline /tmp/timeline.html [--write]
"""

from __future__ import annotations

import argparse
import html as htmllib
import json
import re
from datetime import datetime
from pathlib import Path

OUT = Path(__file__).resolve().parents[3] / "pipelines" / "recorded" / "unoda"
UNTC_TREATIES = ("att", "ctbt", "cwc", "tpnw")
TIMELINE_TREATIES = {
    "Non-Proliferation Treaty": "npt",
    "Biological Weapons Convention": "bwc",
    "Comprehensive Nuclear-Test-Ban Treaty": "ctbt",
    "Prohibition of Nuclear Weapons": "tpnw",
}
VERBS = {
    "signed": "Signatory",
    "ratified": "Ratification",
    "acceded to": "Accession",
    "succeeded": "Succession",
    "succeeded to": "Succession",
    "withdrew from": "Withdrawal",
}
SUFFIX = {"a": "Accession", "d": "Succession", "A": "Ratification", "AA": "Ratification"}  # acceptance/approval


def _text(cell: str) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", cell)).replace("\xa0", " ")).strip()


def _date(text: str) -> tuple[str, str] | None:
    """'12 Aug 2013 a' -> ('2013-08-12', 'Accession'); '' -> None."""
    m = re.match(r"^(\d{1,2}) (\w{3}) (\d{4})(?: (a|d|A|AA|n))?$", text)
    if not m:
        if text:
            raise ValueError(f"UNTC date cell {text!r} is not 'D Mon YYYY [a|d|A|AA]'")
        return None
    day = datetime.strptime(f"{m[1]} {m[2]} {m[3]}", "%d %b %Y").date().isoformat()
    return day, SUFFIX.get(m[4] or "", "Ratification")


def untc_status(page: str) -> dict:
    """One UNTC status page -> {'as_of', 'signatories', 'parties', 'actions'} in UNODA's action shape."""
    as_of = re.search(r"STATUS AS AT : (\d\d)-(\d\d)-(\d{4})", page)
    counts = re.search(r"Signatories :\s*(?:<[^>]+>\s*)*(\d+).*?Parties :\s*(?:<[^>]+>\s*)*(\d+)", page, re.S)
    grid = page[page.index("_tblgrid") :]
    grid = grid[: grid.index("</table>")]
    actions = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", grid, re.S)[1:]:
        cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        name = re.sub(r"\s+\d+$", "", cells[0])  # trailing footnote number
        signed, joined = _date(cells[1]), _date(cells[-1])
        if signed:
            actions.append(_action(signed[0], "Signatory", name, "UN"))
        if joined:
            actions.append(_action(joined[0], joined[1], name, "UN"))
    return {
        "as_of": f"{as_of[3]}-{as_of[2]}-{as_of[1]}",
        "signatories": int(counts[1]),
        "parties": int(counts[2]),
        "actions": actions,
    }


def _action(day: str, kind: str, name: str, depositary: str | None) -> dict:
    return {
        "date": f"{day} 00:00:00",
        "action_type_": kind,
        "state": {"name": name},
        "depositary": {"short_name": depositary} if depositary else None,
    }


def timeline_events(page: str) -> dict[str, list[tuple[str, str, str]]]:
    """survivalscores timeline -> {short_name: [(date, state, action_type_)]} for the UNODA treaties it shows."""
    out: dict[str, list] = {v: [] for v in TIMELINE_TREATIES.values()}
    for day, text in re.findall(r'<td class="date">([^<]*)</td>.*?<td>([^<]*)</td>\s*</tr>', page, re.S):
        text = htmllib.unescape(text)
        for title, short in TIMELINE_TREATIES.items():
            m = re.match(rf"^(.*) ({'|'.join(VERBS)}) (?:the )?{re.escape(title)}\.$", text)
            if m:
                out[short].append((day, m[1], VERBS[m[2]]))
    return out


def iso3(names: list[str]) -> dict[str, str | None]:
    import countrycode

    codes = countrycode.countrycode(names, origin="country.name", destination="iso3c")
    return dict(zip(names, codes, strict=True))


def merge_timeline(actions: list[dict], events: list[tuple[str, str, str]]) -> tuple[list[dict], list[str]]:
    """Add UNODA actions (from the timeline) for states or action kinds the recording lacks."""
    names = sorted({a["state"]["name"] for a in actions} | {e[1] for e in events})
    code = iso3(names)
    have = {(code[a["state"]["name"]] or a["state"]["name"], _kind(a["action_type_"])) for a in actions}
    dates = {(code[a["state"]["name"]] or a["state"]["name"], _kind(a["action_type_"])): set() for a in actions}
    for a in actions:
        dates[(code[a["state"]["name"]] or a["state"]["name"], _kind(a["action_type_"]))].add(a["date"][:10])
    added, notes = [], []
    for day, name, kind in events:
        key = (code[name] or name, _kind(kind))
        if key not in have:
            added.append(_action(day, kind, name, None))
            notes.append(f"added {day} {kind} {name}")
        elif day not in dates[key]:
            notes.append(f"differs {name} {kind}: timeline {day}, recording {sorted(dates[key])}")
    return actions + added, notes


def _kind(action_type: str) -> str:
    return "party" if action_type in ("Ratification", "Accession", "Succession") else action_type


def wire(actions: list[dict]) -> dict:
    return {"data": {"treaty_": {"data": {"actions_": actions}}}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--untc", type=Path, required=True)
    ap.add_argument("--timeline", type=Path, required=True)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    events = timeline_events(args.timeline.read_text(encoding="utf-8"))
    result = {}
    for short in UNTC_TREATIES:
        status = untc_status((args.untc / f"{short}.html").read_text(encoding="utf-8"))
        actions = status["actions"]
        if short == "ctbt":  # UNTC shows the present state only; UNODA keeps Russia's ratification and withdrawal
            actions += [
                _action(d, k, "Russian Federation", "UN")
                for d, n, k in events["ctbt"]
                if n == "Russia" and k in ("Ratification", "Withdrawal")
            ]
        print(
            f"{short}: UNTC as of {status['as_of']}: {status['signatories']} signatories, {status['parties']} "
            f"parties; {len(actions)} actions"
        )
        result[short] = actions
    for short in ("npt", "bwc"):
        old = json.loads((OUT / f"{short}.json").read_text(encoding="utf-8"))["data"]["treaty_"]["data"]["actions_"]
        result[short], notes = merge_timeline(old, events[short])
        print(f"{short}: {len(old)} -> {len(result[short])} actions")
        for n in notes:
            print("   ", n)
    if args.write:
        for short, actions in result.items():
            (OUT / f"{short}.json").write_text(
                json.dumps(wire(actions), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
            )


if __name__ == "__main__":
    main()
