-- Which batch of each source every derived table was built from, so a warehouse mixing batches cannot pass.
CREATE TABLE IF NOT EXISTS table_batch (
    table_name  VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    batch_id    VARCHAR,            -- NULL: the source had no data when the table was built
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (table_name, source)
);
COMMENT ON TABLE table_batch IS 'Lineage: the batch of each source every derived table was built from (gate integrity).';
