"""Membership intervals, reconciliation and nuclear status: pure frame-in, frame-out functions.

Intervals are [start_date, end_date) with end NULL while ongoing. Treaty actions are collapsed by one
documented rule: for each treaty, entity and kind of action, the earliest date over all depositaries counts.
"""

from __future__ import annotations

from datetime import date

import polars as pl

MEMBERSHIP_SCHEMA = {
    "org_id": pl.Utf8,
    "entity_id": pl.Utf8,
    "role": pl.Utf8,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "opened_by": pl.Utf8,
    "closed_by": pl.Utf8,
    "source": pl.Utf8,
}
PARTY_ACTIONS = ("ratification", "accession", "succession")
TIMELINE_START = date(1945, 1, 1)


def _earliest(actions: pl.DataFrame) -> pl.DataFrame:
    return actions.group_by("treaty_id", "entity_id", "action").agg(pl.col("action_date").min())


def treaty_intervals(
    actions: pl.DataFrame, treaties: pl.DataFrame, entities: pl.DataFrame, successions: pl.DataFrame
) -> pl.DataFrame:
    """treaty_action rows -> party and signatory intervals, closed by withdrawal or the state's end."""
    first = _earliest(actions)
    valid_to = dict(zip(entities["entity_id"], entities["valid_to"], strict=False))
    in_force = dict(zip(treaties["treaty_id"], treaties["entry_into_force"], strict=False))
    rows = []
    for (treaty, entity), grp in first.group_by("treaty_id", "entity_id"):
        by_action = dict(zip(grp["action"], grp["action_date"], strict=False))
        party = min(((by_action[a], a) for a in PARTY_ACTIONS if a in by_action), default=None)
        signed = by_action.get("signature")
        withdrawn = by_action.get("withdrawal")
        end_of_state = valid_to.get(entity)
        if party:
            start, opened = party
            end, closed = None, None
            if withdrawn and withdrawn > start:
                end, closed = withdrawn, "withdrawal"
            if end_of_state and (end is None or end_of_state < end):
                end, closed = end_of_state, "state_dissolved"
            rows.append((treaty, entity, "party", start, end, opened, closed, "unoda"))
        if signed and (not party or signed < party[0]):
            end = party[0] if party else end_of_state
            closed = "became_party" if party else ("state_dissolved" if end_of_state else None)
            rows.append((treaty, entity, "signatory", signed, end, "signature", closed, "unoda"))
        # A withdrawn ratification of a treaty not yet in force leaves the signature standing (Russia, CTBT 2023).
        if party and signed and withdrawn and withdrawn > party[0] and in_force.get(treaty) is None:
            rows.append((treaty, entity, "signatory", withdrawn, end_of_state, "withdrawal", None, "unoda"))
    frame = pl.DataFrame(rows, schema=MEMBERSHIP_SCHEMA, orient="row")
    return pl.concat([frame, inherit(frame, successions)])


def inherit(intervals: pl.DataFrame, successions: pl.DataFrame) -> pl.DataFrame:
    """A continuator takes over an interval that its predecessor's dissolution closed."""
    rows, added = [], set()
    for s in successions.iter_rows(named=True):
        closed = intervals.filter(
            (pl.col("entity_id") == s["predecessor_id"])
            & (pl.col("closed_by") == "state_dissolved")
            & (pl.col("end_date") == s["date"])
        )
        if s["org_id"] != "*":
            closed = closed.filter(pl.col("org_id") == s["org_id"])
        for r in closed.iter_rows(named=True):
            already = intervals.filter(
                (pl.col("org_id") == r["org_id"])
                & (pl.col("entity_id") == s["successor_id"])
                & (pl.col("role") == r["role"])
            )
            if already.height == 0 and (r["org_id"], s["successor_id"], r["role"]) not in added:
                added.add((r["org_id"], s["successor_id"], r["role"]))  # two predecessors, one continuation (Yemen)
                rows.append(
                    (
                        r["org_id"],
                        s["successor_id"],
                        r["role"],
                        s["date"],
                        None,
                        "continuation",
                        None,
                        f"inherited:{s['predecessor_id']}",
                    )
                )
    return pl.DataFrame(rows, schema=MEMBERSHIP_SCHEMA, orient="row")


def unverified(frame: pl.DataFrame) -> pl.Expr:
    """A curated row that admits an unchecked fact: its source says "unverified" or its note "not verified"."""
    flag = pl.lit(False)
    if "source" in frame.columns:
        flag = flag | pl.col("source").fill_null("").str.contains("(?i)unverified")
    if "note" in frame.columns:
        flag = flag | pl.col("note").fill_null("").str.contains("(?i)not verified")
    return flag


def alliance_intervals(curated: pl.DataFrame) -> pl.DataFrame:
    """Curated alliance facts -> member intervals; rows with an unverified date say so in ``source``, so the
    warning rule curated_unverified lists them (sql/checks/curated_unverified.sql)."""
    return curated.select(
        "org_id",
        "entity_id",
        role=pl.lit("member"),
        start_date=pl.col("start_date"),
        end_date=pl.col("end_date"),
        opened_by=pl.col("start_event").fill_null("accession"),
        closed_by=pl.col("end_event"),
        source=pl.when(unverified(curated)).then(pl.lit("curated:unverified")).otherwise(pl.lit("curated")),
    ).cast(MEMBERSHIP_SCHEMA)


RECONCILIATION_SCHEMA = {
    "org_id": pl.Utf8,
    "entity_id": pl.Utf8,
    "issue": pl.Utf8,
    "wikidata_value": pl.Utf8,
    "curated_value": pl.Utf8,
    "resolution": pl.Utf8,
}


def reconcile(curated: pl.DataFrame, wikidata: pl.DataFrame) -> pl.DataFrame:
    """Compare Wikidata statements with curated intervals (matched by nearest start); curated always wins."""
    rows = []
    orgs = set(curated["org_id"])
    for org in sorted(orgs):  # an organisation without curated facts uses Wikidata as is: nothing to reconcile
        cur = curated.filter(pl.col("org_id") == org)
        wd = wikidata.filter(pl.col("org_id") == org)
        for entity in sorted(set(cur["entity_id"]) | set(wd["entity_id"])):
            c_rows = cur.filter(pl.col("entity_id") == entity).sort("start_date").rows(named=True)
            w_rows = wd.filter(pl.col("entity_id") == entity).sort("start_date", nulls_last=True).rows(named=True)
            if not w_rows:
                for c in c_rows:
                    rows.append((org, entity, "missing_in_wikidata", None, str(c["start_date"]), "curated fact used"))
                continue
            if not c_rows:
                for w in w_rows:
                    rows.append(
                        (
                            org,
                            entity,
                            "missing_in_curated",
                            str(w["start_date"]),
                            None,
                            "Wikidata statement ignored: curated reference lists no such membership",
                        )
                    )
                continue
            for c, w in zip(c_rows, w_rows, strict=False):
                for field, issue in (("start_date", "start_date_differs"), ("end_date", "end_date_differs")):
                    if c[field] != w[field]:
                        wv, cv = w[field], c[field]
                        note = "curated fact used"
                        if wv and cv and wv.month == 1 and wv.day == 1 and wv.year == cv.year:
                            note += " (Wikidata date has year precision only)"
                        rows.append((org, entity, issue, str(wv) if wv else None, str(cv) if cv else None, note))
            for extra in w_rows[len(c_rows) :]:
                rows.append(
                    (
                        org,
                        entity,
                        "missing_in_curated",
                        str(extra["start_date"]),
                        None,
                        "Wikidata statement ignored: no matching curated interval",
                    )
                )
            for extra in c_rows[len(w_rows) :]:
                rows.append((org, entity, "missing_in_wikidata", None, str(extra["start_date"]), "curated fact used"))
    return pl.DataFrame(rows, schema=RECONCILIATION_SCHEMA, orient="row")


NUCLEAR_SCHEMA = {"entity_id": pl.Utf8, "status": pl.Utf8, "start_date": pl.Date, "end_date": pl.Date, "basis": pl.Utf8}


def nuclear_status(membership: pl.DataFrame, facts: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """Per state, split its lifetime at every NPT and nuclear-armed boundary and name each piece.

    npt_nuclear_weapon_state: NPT party in the Art. IX(3) set; npt_non_nuclear_weapon_state: any other party;
    nuclear_armed_outside_npt: not a party but nuclear-armed (facts file); outside_npt: neither. A dependent
    territory is npt_territory while its sovereign is a party (Guam is not "outside the NPT").
    """
    npt = membership.filter((pl.col("org_id") == "NPT") & (pl.col("role") == "party"))
    nws = set(facts.filter(pl.col("status") == "npt_nuclear_weapon_state")["entity_id"])
    armed_since = {r["entity_id"]: r["since"] for r in facts.iter_rows(named=True)}
    basis_of = {r["entity_id"]: r["basis"] for r in facts.iter_rows(named=True)}
    rows = []
    states = entities.filter(pl.col("kind").is_in(["state", "former_state"]))
    for e in states.iter_rows(named=True):
        eid = e["entity_id"]
        start = max(e["valid_from"] or TIMELINE_START, TIMELINE_START)
        end = e["valid_to"]
        parties = npt.filter(pl.col("entity_id") == eid).select("start_date", "end_date").rows()
        cuts = {start} | {d for p in parties for d in p if d} | ({armed_since[eid]} if eid in armed_since else set())
        cuts = sorted(c for c in cuts if c >= start and (end is None or c < end))
        pieces = []
        for i, c in enumerate(cuts):
            piece_end = cuts[i + 1] if i + 1 < len(cuts) else end
            is_party = any(s <= c and (t is None or c < t) for s, t in parties)
            armed = eid in armed_since and armed_since[eid] <= c
            if is_party:
                status = "npt_nuclear_weapon_state" if eid in nws else "npt_non_nuclear_weapon_state"
                basis = basis_of[eid] if eid in nws else "NPT party (membership)"
            elif armed:
                status, basis = "nuclear_armed_outside_npt", basis_of[eid]
            else:
                status, basis = "outside_npt", "not an NPT party (membership)"
            if pieces and pieces[-1][1] == status:
                pieces[-1][3] = piece_end
            else:
                pieces.append([eid, status, c, piece_end, basis])
        rows += [tuple(p) for p in pieces]
    return pl.concat([pl.DataFrame(rows, schema=NUCLEAR_SCHEMA, orient="row"), _territories_follow(rows, entities)])


def _territories_follow(state_rows: list[tuple], entities: pl.DataFrame) -> pl.DataFrame:
    """A dependent territory is covered by its sovereign's NPT membership (npt_territory) or outside it, piece by
    piece of the sovereign's timeline; it is never a weapon state itself. Antarctica (no sovereign) has no status."""
    if "sovereign_id" not in entities.columns:
        return pl.DataFrame(schema=NUCLEAR_SCHEMA)
    rows = []
    territories = entities.filter((pl.col("kind") == "dependent_territory") & pl.col("sovereign_id").is_not_null())
    for t in territories.iter_rows(named=True):
        for sov, status, start, end, _ in state_rows:
            if sov != t["sovereign_id"]:
                continue
            covered = status.startswith("npt_")
            piece = [
                t["entity_id"],
                "npt_territory" if covered else "outside_npt",
                start,
                end,
                f"dependent territory of {sov} ({'an NPT party' if covered else 'not an NPT party'})",
            ]
            if rows and rows[-1][0] == piece[0] and rows[-1][1] == piece[1]:
                rows[-1][3] = end  # the sovereign's armed/unarmed change is not the territory's
            else:
                rows.append(piece)
    return pl.DataFrame([tuple(r) for r in rows], schema=NUCLEAR_SCHEMA, orient="row")
