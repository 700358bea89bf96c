-- Who belonged to what, when: [start_date, end_date), end NULL while ongoing.
CREATE OR REPLACE TABLE membership (
    org_id      VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    role        VARCHAR NOT NULL CHECK (role IN ('party', 'signatory', 'member')),
    start_date  DATE NOT NULL,
    end_date    DATE,
    opened_by   VARCHAR NOT NULL,             -- the event: ratification, accession, succession, signature, founding, …
    closed_by   VARCHAR,                      -- withdrawal, dissolution, state_dissolved, became_party, …
    source      VARCHAR NOT NULL,             -- unoda | curated | wikidata | inherited:<entity>
    PRIMARY KEY (org_id, entity_id, role, start_date)
);
