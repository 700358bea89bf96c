-- What a source's staging table held when it was last staged from its current payloads (pipelines/reuse.py).
-- Staging lives only in a run (pipelines/warehouse.py: attach_staging); a later run that did not load the source
-- decides whether the steps reading it can be kept from these digests instead of staging the payloads again.
CREATE TABLE IF NOT EXISTS staged_digest (
    source       VARCHAR NOT NULL,
    staged_from  VARCHAR NOT NULL,   -- SHA-256 of the code fingerprint and the batch's payloads (hash, format, release)
    query        VARCHAR NOT NULL,   -- what a step reads of the staging table (Step.reads)
    digest       VARCHAR NOT NULL,   -- pipelines/reuse.py: row count and sum of row hashes of those rows
    PRIMARY KEY (source, query)
);
COMMENT ON TABLE staged_digest IS 'Selective rebuild without keeping staging: the digest of what a step reads of each source''s staging table (its names, for the entity step), by the code and payloads it was staged from. A step reading a whole staging table counts what it was staged from instead.';
COMMENT ON COLUMN staged_digest.source IS 'The source (sipri, unoda, wikidata, sipri_tiv).';
COMMENT ON COLUMN staged_digest.staged_from IS 'SHA-256 of the code and reference fingerprint and the current batch''s payloads (SHA-256, format, release label): staging is a function of these.';
COMMENT ON COLUMN staged_digest.query IS 'The rows digested: a step''s query over staging.<table>.';
COMMENT ON COLUMN staged_digest.digest IS 'Row count and the sum of row hashes of those rows, as step_input digests them.';
