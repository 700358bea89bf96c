-- Which batch of each source every derived table was built from, so a warehouse mixing batches cannot pass.
CREATE TABLE IF NOT EXISTS table_batch (
    table_name  VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    batch_id    VARCHAR,            -- NULL: the source had no data when the table was built
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (table_name, source)
);
COMMENT ON TABLE table_batch IS 'Lineage: the batch of each source every derived table was built from (gate integrity).';
COMMENT ON COLUMN table_batch.table_name IS 'A derived table (deal, membership, mart_...).';
COMMENT ON COLUMN table_batch.source IS 'A source (sipri, unoda, wikidata, sipri_tiv, atop, cow).';
COMMENT ON COLUMN table_batch.batch_id IS 'The source''s batch (load_manifest.batch_id) the table was built from; NULL if the source had no data.';
COMMENT ON COLUMN table_batch.run_id IS 'The run that built the table.';
