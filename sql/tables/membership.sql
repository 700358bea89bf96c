-- Who belonged to what, when: [start_date, end_date), end NULL while ongoing.
CREATE OR REPLACE TABLE membership (
    org_id      VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    role        VARCHAR NOT NULL CHECK (role IN ('party', 'signatory', 'member')),
    start_date  DATE NOT NULL,
    end_date    DATE,
    opened_by   VARCHAR NOT NULL,             -- the event: ratification, accession, succession, signature, founding, …
    closed_by   VARCHAR,                      -- withdrawal, dissolution, state_dissolved, became_party, …
    source      VARCHAR NOT NULL,             -- unoda | curated | curated:unverified | wikidata | inherited:<entity>
    PRIMARY KEY (org_id, entity_id, role, start_date)
);
COMMENT ON TABLE membership IS 'Who belonged to which treaty or alliance, when: intervals [start_date, end_date), end NULL while ongoing.';
COMMENT ON COLUMN membership.org_id IS 'Treaty or alliance (organisation.org_id).';
COMMENT ON COLUMN membership.entity_id IS 'Member or party (entity.entity_id).';
COMMENT ON COLUMN membership.role IS 'party (treaty), signatory (signed, not ratified) or member (alliance).';
COMMENT ON COLUMN membership.start_date IS 'First day of the interval (inclusive).';
COMMENT ON COLUMN membership.end_date IS 'Day the interval ended (exclusive); NULL while ongoing.';
COMMENT ON COLUMN membership.opened_by IS 'Event that opened the interval: ratification, accession, succession, signature, founding, ....';
COMMENT ON COLUMN membership.closed_by IS 'Event that closed it: withdrawal, dissolution, state_dissolved, became_party, ....';
COMMENT ON COLUMN membership.source IS 'Who asserted it: unoda, curated, curated:unverified (a curated row whose date is not verified against the depositary; rule curated_unverified lists them), wikidata or inherited:<entity> (succession).';
