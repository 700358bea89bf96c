-- Everything that can send or receive arms or join a treaty or alliance.
CREATE OR REPLACE TABLE entity (
    entity_id     VARCHAR PRIMARY KEY,       -- ISO3 | ISO 3166-3 / documented code | ORG:… | NSA:… | UNKNOWN:…
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('state', 'former_state', 'armed_group', 'organisation', 'unknown')),
    iso3          VARCHAR,
    valid_from    DATE,
    valid_to      DATE,                      -- exclusive
    successor_id  VARCHAR,                   -- ';'-separated when a state split
    cow_code      INTEGER,                   -- Correlates of War numeric code
    notes         VARCHAR,
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from < valid_to)
);
