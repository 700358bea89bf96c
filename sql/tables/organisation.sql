-- Treaties and alliances that entities belong to.
CREATE OR REPLACE TABLE organisation (
    org_id        VARCHAR PRIMARY KEY,        -- NPT, CTBT, …, NATO, WARSAW_PACT, …
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('treaty', 'alliance')),
    founded       DATE NOT NULL,              -- treaty: opened for signature; alliance: founding
    dissolved     DATE,
    wikidata_qid  VARCHAR
);
