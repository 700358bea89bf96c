-- Where Wikidata and the curated reference disagree; the curated fact is what the warehouse uses.
CREATE OR REPLACE TABLE reconciliation (
    org_id          VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    issue           VARCHAR NOT NULL CHECK (issue IN ('missing_in_wikidata', 'missing_in_curated', 'start_date_differs', 'end_date_differs')),
    wikidata_value  VARCHAR,
    curated_value   VARCHAR,
    resolution      VARCHAR NOT NULL
);
COMMENT ON TABLE reconciliation IS 'Where Wikidata and the curated reference disagree on a membership; the curated fact is what the warehouse uses.';
COMMENT ON COLUMN reconciliation.org_id IS 'Alliance or treaty (organisation.org_id).';
COMMENT ON COLUMN reconciliation.entity_id IS 'Member concerned (entity.entity_id).';
COMMENT ON COLUMN reconciliation.issue IS 'missing_in_wikidata, missing_in_curated, start_date_differs or end_date_differs.';
COMMENT ON COLUMN reconciliation.wikidata_value IS 'What Wikidata states.';
COMMENT ON COLUMN reconciliation.curated_value IS 'What the curated reference states.';
COMMENT ON COLUMN reconciliation.resolution IS 'Which value the warehouse uses, and why.';
