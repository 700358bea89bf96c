-- Where ATOP or COW and the curated alliance facts disagree; the curated fact is what the warehouse uses.
CREATE OR REPLACE TABLE alliance_reconciliation (
    source          VARCHAR NOT NULL CHECK (source IN ('atop', 'cow')),
    org_id          VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    issue           VARCHAR NOT NULL CHECK (issue IN ('missing_in_atop', 'missing_in_cow', 'missing_in_curated',
                                                      'start_date_differs', 'end_date_differs')),
    source_value    VARCHAR,
    curated_value   VARCHAR,
    resolution      VARCHAR NOT NULL
);
COMMENT ON TABLE alliance_reconciliation IS 'Differences between ATOP/COW membership spells and curated alliance_membership for the linked organisations (same shape as reconciliation, plus source); ATOP and COW mostly date signature, curated facts accession or founding';
COMMENT ON COLUMN alliance_reconciliation.source IS 'atop or cow';
COMMENT ON COLUMN alliance_reconciliation.org_id IS 'Curated organisation (NATO = ATOP 3180 = COW 227, SEATO 3260/238, CENTO 3275/241, Warsaw Pact 3285/243, Rio 3075/210, ANZUS 3215/232)';
COMMENT ON COLUMN alliance_reconciliation.entity_id IS 'Member entity';
COMMENT ON COLUMN alliance_reconciliation.issue IS 'missing_in_atop | missing_in_cow | missing_in_curated | start_date_differs | end_date_differs';
COMMENT ON COLUMN alliance_reconciliation.source_value IS 'The dataset date (continuous spells merged across ATOP phases)';
COMMENT ON COLUMN alliance_reconciliation.curated_value IS 'The curated date';
COMMENT ON COLUMN alliance_reconciliation.resolution IS 'What the warehouse does and why (convention difference, coverage end)';
