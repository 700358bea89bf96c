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
COMMENT ON TABLE wikidata_membership IS 'Wikidata membership statements as received (resolved to entities); compared with curated facts in reconciliation.';
COMMENT ON COLUMN wikidata_membership.org_id IS 'Alliance or treaty (organisation.org_id).';
COMMENT ON COLUMN wikidata_membership.entity_id IS 'Member (entity.entity_id).';
COMMENT ON COLUMN wikidata_membership.qid IS 'Wikidata item id (Q...) of the member.';
COMMENT ON COLUMN wikidata_membership.label IS 'Wikidata English label of the member.';
COMMENT ON COLUMN wikidata_membership.start_date IS 'Start time qualifier (P580) of the membership statement.';
COMMENT ON COLUMN wikidata_membership.end_date IS 'End time qualifier (P582) of the membership statement.';
COMMENT ON COLUMN wikidata_membership.payload_sha256 IS 'SHA-256 of the SPARQL response holding the statement.';
