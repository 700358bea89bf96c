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
COMMENT ON TABLE entity IS 'Everything that can send or receive arms or join a treaty or alliance: states, former states, armed groups, organisations.';
COMMENT ON COLUMN entity.entity_id IS 'ISO 3166-1 alpha-3, ISO 3166-3 or documented code for former states, ORG:..., NSA:... (armed groups) or UNKNOWN:....';
COMMENT ON COLUMN entity.name IS 'Canonical English name.';
COMMENT ON COLUMN entity.kind IS 'state, former_state, armed_group, organisation or unknown.';
COMMENT ON COLUMN entity.iso3 IS 'ISO 3166 alpha-3 code where one exists.';
COMMENT ON COLUMN entity.valid_from IS 'First day the entity existed (NULL when it predates the data).';
COMMENT ON COLUMN entity.valid_to IS 'Day the entity ceased to exist (exclusive); NULL while it exists.';
COMMENT ON COLUMN entity.successor_id IS 'Successor entity ids, ;-separated when a state split.';
COMMENT ON COLUMN entity.cow_code IS 'Correlates of War numeric country code.';
COMMENT ON COLUMN entity.notes IS 'Why the entity is coded as it is (sources, edge cases).';
COMMENT ON COLUMN entity.kind IS 'state | former_state | dependent_territory (an ISO 3166-1 code that is no state: Guam, Greenland, Antarctica; data_contracts/reference/dependent_territories.csv) | armed_group | organisation | unknown';
COMMENT ON COLUMN entity.sovereign_id IS 'For a dependent_territory, the entity_id of the state it belongs to (treaty and nuclear status follow it); NULL for Antarctica and for every other kind';
