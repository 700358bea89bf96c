-- How each source spells each entity, and how armsflow matched the spelling.
CREATE OR REPLACE TABLE entity_alias (
    source       VARCHAR NOT NULL,
    raw_name     VARCHAR NOT NULL,
    entity_id    VARCHAR NOT NULL,
    resolved_by  VARCHAR NOT NULL CHECK (resolved_by IN ('alias', 'name', 'suffix-rule', 'countrycode-regex', 'iso3')),
    PRIMARY KEY (source, raw_name)
);
