-- Where Wikidata and the curated reference disagree; the curated fact is what the warehouse uses.
CREATE OR REPLACE TABLE reconciliation (
    org_id          VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    issue           VARCHAR NOT NULL CHECK (issue IN ('missing_in_wikidata', 'missing_in_curated', 'start_date_differs', 'end_date_differs')),
    wikidata_value  VARCHAR,
    curated_value   VARCHAR,
    resolution      VARCHAR NOT NULL
);
