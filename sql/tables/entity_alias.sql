-- How each source spells each entity, and how armsflow matched the spelling.
CREATE OR REPLACE TABLE entity_alias (
    source       VARCHAR NOT NULL,
    raw_name     VARCHAR NOT NULL,
    entity_id    VARCHAR NOT NULL,
    resolved_by  VARCHAR NOT NULL CHECK (resolved_by IN ('alias', 'name', 'suffix-rule', 'countrycode-regex', 'iso3')),
    PRIMARY KEY (source, raw_name)
);
COMMENT ON TABLE entity_alias IS 'How each source spells each entity, and how armsflow matched the spelling to an entity.';
COMMENT ON COLUMN entity_alias.source IS 'Source whose spelling this is (sipri, unoda, wikidata).';
COMMENT ON COLUMN entity_alias.raw_name IS 'The name exactly as the source spelled it.';
COMMENT ON COLUMN entity_alias.entity_id IS 'The entity the name resolved to (entity.entity_id).';
COMMENT ON COLUMN entity_alias.resolved_by IS 'Matching method: alias (curated list), name, suffix-rule, countrycode-regex or iso3.';
