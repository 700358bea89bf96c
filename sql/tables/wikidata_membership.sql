-- Wikidata's membership statements as received (resolved to entities); compared with curated facts in reconciliation.
CREATE OR REPLACE TABLE wikidata_membership (
    org_id          VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    qid             VARCHAR NOT NULL,
    label           VARCHAR,
    start_date      DATE,
    end_date        DATE,
    payload_sha256  VARCHAR NOT NULL
);
