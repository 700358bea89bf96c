"""Entity resolution: curated facts first, then names, SIPRI suffix rules, countrycode; unknowns stay unknown."""

from __future__ import annotations

import polars as pl

from pipelines import entities


def resolved(names, source="sipri"):
    aliases, created = entities.resolve_names(names, source)
    return (
        dict(zip(aliases["raw_name"], aliases["entity_id"], strict=False)),
        dict(zip(aliases["raw_name"], aliases["resolved_by"], strict=False)),
        created,
    )


def test_each_source_spelling_meets_one_entity():
    ids, _, _ = resolved(
        [
            "Turkiye",
            "Türkiye",
            "Viet Nam",
            "DR Congo",
            "UAE",
            "eSwatini",
            "Cote d'Ivoire",
            "Bosnia-Herzegovina",
            "United Kingdom of Great Britain and Northern Ireland",
            "Democratic People's Republic of Korea",
            "North Korea",
            "Iran (Islamic Republic of)",
        ]
    )
    assert ids == {
        "Turkiye": "TUR",
        "Türkiye": "TUR",
        "Viet Nam": "VNM",
        "DR Congo": "COD",
        "UAE": "ARE",
        "eSwatini": "SWZ",
        "Cote d'Ivoire": "CIV",
        "Bosnia-Herzegovina": "BIH",
        "United Kingdom of Great Britain and Northern Ireland": "GBR",
        "Democratic People's Republic of Korea": "PRK",
        "North Korea": "PRK",
        "Iran (Islamic Republic of)": "IRN",
    }


def test_curated_facts_beat_library_guesses():
    ids, how, _ = resolved(
        [
            "Soviet Union",
            "Union of Soviet Socialist Republics",
            "Northern Cyprus",
            "East Germany (GDR)",
            "Yemen Arab Republic (North Yemen)",
        ]
    )
    assert ids == {
        "Soviet Union": "SUN",
        "Union of Soviet Socialist Republics": "SUN",
        "Northern Cyprus": "X-TRNC",
        "East Germany (GDR)": "DDR",
        "Yemen Arab Republic (North Yemen)": "YAR",
    }
    assert set(how.values()) <= {"alias", "name"}  # curated alias or curated entity name, never a regex guess


def test_suffix_rules_classify_armed_groups_organisations_and_unknowns():
    ids, how, created = resolved(
        [
            "Hezbollah (Lebanon)*",
            "Some New Front (Atlantis)*",
            "NATO**",
            "Shanghai Cooperation Organisation**",
            "unknown supplier(s)",
            "unknown rebel group*",
        ]
    )
    assert ids["Hezbollah (Lebanon)*"] == "NSA:hezbollah-lebanon"
    assert ids["Some New Front (Atlantis)*"] == "NSA:some-new-front-atlantis"
    assert ids["NATO**"] == "ORG:NATO" and how["NATO**"] == "alias"
    assert ids["Shanghai Cooperation Organisation**"] == "ORG:SHANGHAI-COOPERATION-ORGANISATION"
    assert ids["unknown supplier(s)"] == "UNKNOWN:SUPPLIER"
    kinds = dict(zip(created["entity_id"], created["kind"], strict=False))
    assert kinds["NSA:some-new-front-atlantis"] == "armed_group"
    assert kinds["ORG:SHANGHAI-COOPERATION-ORGANISATION"] == "organisation"


def test_a_name_nothing_knows_stays_unresolved():
    ids, how, _ = resolved(["Republic of Atlantis"], "unoda")
    assert ids == {"Republic of Atlantis": None} and how == {"Republic of Atlantis": None}


def test_reference_has_states_former_states_and_cow_codes():
    ref = entities.reference_entities()

    def row(eid):
        return ref.filter(pl.col("entity_id") == eid).row(0, named=True)

    assert row("PAK")["cow_code"] == 770 and row("PAK")["kind"] == "state"
    sun = row("SUN")
    assert sun["kind"] == "former_state" and str(sun["valid_to"]) == "1991-12-26" and sun["successor_id"] == "RUS"
    assert row("X-TRNC")["iso3"] is None and row("XKX")["cow_code"] == 347
    assert ref["entity_id"].is_unique().all()
