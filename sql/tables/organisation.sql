-- Treaties and alliances that entities belong to.
CREATE OR REPLACE TABLE organisation (
    org_id        VARCHAR PRIMARY KEY,        -- NPT, CTBT, …, NATO, WARSAW_PACT, …
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('treaty', 'alliance')),
    founded       DATE NOT NULL,              -- treaty: opened for signature; alliance: founding
    dissolved     DATE,
    wikidata_qid  VARCHAR
);
COMMENT ON TABLE organisation IS 'Treaties and alliances that entities belong to.';
COMMENT ON COLUMN organisation.org_id IS 'Short id: NPT, CTBT, ATT, ..., NATO, WARSAW_PACT, ....';
COMMENT ON COLUMN organisation.name IS 'Full name.';
COMMENT ON COLUMN organisation.kind IS 'treaty or alliance.';
COMMENT ON COLUMN organisation.founded IS 'Treaty: opened for signature; alliance: founding date.';
COMMENT ON COLUMN organisation.dissolved IS 'Date the alliance dissolved; NULL while it exists.';
COMMENT ON COLUMN organisation.wikidata_qid IS 'Wikidata item id (Q...) of the organisation.';
