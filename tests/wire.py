"""Fixture builders that write payloads in the sources' own wire formats (never copied from real exports)."""

from __future__ import annotations

import base64
import json

from pipelines.sources.sipri import API_HEADER, LEGACY_HEADER

PREAMBLE = [
    "Transfers of major conventional arms from All countries  to All countries . Deals with deliveries made for the year range '{first}' to '{last}' ",
    "A '?' in a column indicates uncertain data. The 'Number delivered' and the 'Year(s) of deliveries' refer only to deliveries in the selected year(s).",
    "An empty field for 'Number ordered' indicates that data is not yet available.",
    "SIPRI trend-indicator values (TIVs) are in millions.",
    "An empty field for 'SIPRI TIV for total order' indicates that data (on the number ordered and/or the TIV per unit) is not available.",
    "A '0' for 'SIPRI TIV of delivered weapons' indicates that the volume of deliveries is between 0 and 0.5 million SIPRI TIV; and an empty field indicates that no deliveries have been identified.",
    "Figures may not add up to stated totals due to the conventions of rounding.",
    "For the method used for the SIPRI TIV and explanations of the conventions; abbreviations and acronyms see <https://www.sipri.org/databases/armstransfers/sources-and-methods>.",
    "",
    "Source: SIPRI Arms Transfers Database (c) SIPRI.",
    "Data generated: 01 Mar 2026 09:00:00 AM",
]

# id, supplier, recipient, designation, description, category, order, est, n, est, year, est, status, unit_new, unit_deal, tiv, local
API_ROWS = [
    "71001,Turkiye,Pakistan,MILGEM,corvette,Ships,2018,No,1,No,2023,No,New,200,200,200,No",
    "71001,Turkiye,Pakistan,MILGEM,corvette,Ships,2018,No,1,No,2024,No,New,200,200,200,No",
    "71002,Russia,Turkiye,S-400/SA-21,SAM system,Air defence systems,2017,No,4,No,2019,No,New,100,100,400,No",
    "71003,China,Pakistan,JF-17,FGA aircraft,Aircraft,2009,Yes,10,Yes,2011,Yes,New,15,15,150,Yes",
    "71003,China,Pakistan,JF-17,FGA aircraft,Aircraft,2009,Yes,12,Yes,2012,No,New,15,15,180,Yes",
    "71004,United States,Pakistan,F-16C,FGA aircraft,Aircraft,2006,No,18,No,2010,No,New,25,25,450,No",
    "71005,Soviet Union,India,MiG-21,fighter aircraft,Aircraft,1962,Yes,20,Yes,1964,Yes,New,7,7,140,No",
    "71006,France,India,Rafale,FGA aircraft,Aircraft,2016,No,36,No,2021,Yes,New,55,55,1980,No",
    "71007,Iran,Hezbollah (Lebanon)*,Fajr-5,artillery rocket,Artillery,2005,Yes,100,Yes,2006,Yes,New,0.05,0.05,5,No",
    "71008,United States,NATO**,E-3A AWACS,AEW&C aircraft,Aircraft,1978,No,18,No,1982,No,New,90,90,1620,No",
    "71009,Germany,Greece,Leopard-2A4,tank,Armoured vehicles,1998,No,170,No,2005,No,Second hand,2.5,1,170,No",
]


def api_csv(rows: list[str] = API_ROWS, first: int = 1950, last: int = 2026, header: list[str] = API_HEADER) -> str:
    lines = [PREAMBLE[0].format(first=first, last=last), *PREAMBLE[1:], ",".join(header), *rows]
    return "\n".join(lines) + "\n"


def api_response(rows: list[str] = API_ROWS, **kw) -> bytes:
    return json.dumps({"bytes": base64.b64encode(api_csv(rows, **kw).encode("ascii")).decode()}).encode()


LEGACY_ROWS = [
    "Pakistan,Turkiye,2018,,4,,MILGEM,corvette,1,,2023,New,Babur class; 2 built in Turkiye and 2 in Pakistan,200,800,200",
    "Turkiye,Pakistan,2016,?,52,,Super Mushshak,trainer aircraft,52,,2022; 2023; 2024,New,For the Turkish Air Force,0.5,26,26",
    "Egypt,Czechoslovakia,1955,?,100,?,T-34-85,tank,100,,1956,Second hand,Part of the \u00a8Czech arms deal\u00a8 with the Soviet Union,0.8,80,80",
    "Finland,Germany,2003,,20,,W\u00e4rtsil\u00e4 engine,ship engine,20,,2004; 2005,New,B\u00fc-181 \u00b1 variant,0.1,2,2",
    "Thailand,Ukraine,2008,,14,,BTR-3,APC,13,,2010; 2012,New,Part of a larger deal; delivery delayed\r\nafter engine change,0.25,3.5,3.25",
    "Greece,Germany,2024,,12,,ship engine,ship engine,0,,,New,MTU diesel engine for 3 frigates from\nFrance,1.5,18,0",
]


def legacy_csv(rows: list[str] = LEGACY_ROWS, header: list[str] = LEGACY_HEADER) -> bytes:
    lines = [
        PREAMBLE[0].format(first="Not specified", last="Not specified"),
        *PREAMBLE[1:-1],
        "Data generated: 13 Mar 2025 10:02:49 AM",
        ",".join(header),
        *rows,
    ]
    return ("\n".join(lines) + "\n").encode("cp1252")


def unoda_response(actions: list[tuple[str, str, str, str]]) -> bytes:
    """actions: (date YYYY-MM-DD, action_type_, state name, depositary)."""
    return json.dumps(
        {
            "data": {
                "treaty_": {
                    "data": {
                        "actions_": [
                            {
                                "date": f"{d} 00:00:00",
                                "action_type_": a,
                                "state": {"name": s},
                                "depositary": {"short_name": dep},
                            }
                            for d, a, s, dep in actions
                        ]
                    }
                }
            }
        },
        ensure_ascii=False,
    ).encode("utf-8")


def sparql_response(members: list[tuple[str, str, str | None, str | None, str | None]]) -> bytes:
    """members: (qid, label, iso3, start, end) with dates YYYY-MM-DD or None."""
    bindings = []
    for qid, label, iso3, start, end in members:
        b = {
            "country": {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"},
            "countryLabel": {"xml:lang": "en", "type": "literal", "value": label},
        }
        if iso3:
            b["iso3"] = {"type": "literal", "value": iso3}
        for var, value in (("start", start), ("end", end)):
            if value:
                b[var] = {
                    "datatype": "http://www.w3.org/2001/XMLSchema#dateTime",
                    "type": "literal",
                    "value": f"{value}T00:00:00Z",
                }
        bindings.append(b)
    return json.dumps(
        {"head": {"vars": ["country", "countryLabel", "iso3", "start", "end"]}, "results": {"bindings": bindings}}
    ).encode()
