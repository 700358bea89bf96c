-- One row per distinct release of a source kept in this warehouse: a set of payloads (by SHA-256) loaded at least once.
-- Loading the same payloads again (a re-import, `refresh --release`) is the same release, not a new one.
CREATE TABLE IF NOT EXISTS data_release (
    source           VARCHAR NOT NULL,
    release_id       VARCHAR NOT NULL,   -- the first load_manifest.batch_id that held these payloads
    release_label    VARCHAR,            -- e.g. SIPRI's "Data generated: 13 Apr 2024"
    payload_sha256s  VARCHAR[] NOT NULL, -- sorted
    origin           VARCHAR,
    deals            BIGINT,             -- deals in this release (SIPRI)
    recorded_by_run  VARCHAR,
    PRIMARY KEY (source, release_id)
);
COMMENT ON TABLE data_release IS 'Distinct releases of a source kept in the warehouse (a set of payload hashes); deal_version and release_diff refer to them.';
COMMENT ON COLUMN data_release.release_id IS 'The first load_manifest.batch_id that held exactly these payloads; time-sortable.';
COMMENT ON COLUMN data_release.payload_sha256s IS 'Sorted SHA-256s of the payloads, as kept under raw/<source>/.';
COMMENT ON COLUMN data_release.deals IS 'Deals in the release when it was first current.';
COMMENT ON COLUMN data_release.source IS 'The source (sipri, unoda, ...).';
COMMENT ON COLUMN data_release.release_label IS 'The release''s own label, e.g. SIPRI''s "Data generated: 13 Apr 2024", or the recording''s label.';
COMMENT ON COLUMN data_release.origin IS 'recording, live or import: how the release first arrived.';
COMMENT ON COLUMN data_release.recorded_by_run IS 'The run that first recorded the release (run.run_id).';
