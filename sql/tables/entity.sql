-- Everything that can send or receive arms or join a treaty or alliance.
CREATE OR REPLACE TABLE entity (
    entity_id     VARCHAR PRIMARY KEY,       -- ISO3 | ISO 3166-3 / documented code | ORG:… | NSA:… | UNKNOWN:…
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('state', 'former_state', 'dependent_territory', 'armed_group', 'organisation', 'unknown')),
    iso3          VARCHAR,
    valid_from    DATE,
    valid_to      DATE,                      -- exclusive
    successor_id  VARCHAR,                   -- ';'-separated when a state split
    cow_code      INTEGER,                   -- Correlates of War numeric code
    notes         VARCHAR,
    sovereign_id  VARCHAR,                   -- dependent_territory: the state whose treaty status it shares
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from < valid_to)
);
COMMENT ON COLUMN entity.kind IS 'state | former_state | dependent_territory (an ISO 3166-1 code that is no state: Guam, Greenland, Antarctica; data_contracts/reference/dependent_territories.csv) | armed_group | organisation | unknown';
COMMENT ON COLUMN entity.sovereign_id IS 'For a dependent_territory, the entity_id of the state it belongs to (treaty and nuclear status follow it); NULL for Antarctica and for every other kind';
