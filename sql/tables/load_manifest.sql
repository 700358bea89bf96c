-- One row per payload fetched or imported: what was asked, when, what came back, and where its rows went.
CREATE TABLE IF NOT EXISTS load_manifest (
    batch_id          VARCHAR   NOT NULL,   -- one refresh or import of one source
    source            VARCHAR   NOT NULL,
    request_name      VARCHAR   NOT NULL,
    request           JSON      NOT NULL,
    url               VARCHAR   NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    sha256            VARCHAR   NOT NULL CHECK (length(sha256) = 64),
    bytes             BIGINT    NOT NULL CHECK (bytes >= 0),
    raw_path          VARCHAR   NOT NULL,
    format            VARCHAR   NOT NULL,
    source_release    VARCHAR,
    origin            VARCHAR   NOT NULL CHECK (origin IN ('recording', 'live', 'import')),
    run_id            VARCHAR   NOT NULL,   -- the run that landed it
    rows_in           BIGINT,
    rows_loaded       BIGINT,
    rows_quarantined  BIGINT,
    PRIMARY KEY (batch_id, request_name)
);
COMMENT ON TABLE load_manifest IS 'One row per payload fetched or imported: what was asked, when, what came back, and where its rows went (rows_in = rows_loaded + rows_quarantined).';
COMMENT ON COLUMN load_manifest.batch_id IS 'One refresh or import of one source.';
COMMENT ON COLUMN load_manifest.source IS 'Source name (sipri, unoda, wikidata).';
COMMENT ON COLUMN load_manifest.request_name IS 'Name of the request within the source''s request plan.';
COMMENT ON COLUMN load_manifest.request IS 'The request as sent (name, method, path, body), as JSON.';
COMMENT ON COLUMN load_manifest.url IS 'URL fetched, or the file path imported.';
COMMENT ON COLUMN load_manifest.fetched_at IS 'When the payload was fetched or imported (for replayed recordings: when replayed).';
COMMENT ON COLUMN load_manifest.sha256 IS 'SHA-256 of the payload as received; names the raw file.';
COMMENT ON COLUMN load_manifest.bytes IS 'Payload size in bytes.';
COMMENT ON COLUMN load_manifest.raw_path IS 'Where the payload is kept, as received, under $ARMSFLOW_HOME/raw.';
COMMENT ON COLUMN load_manifest.format IS 'Wire format of the payload (e.g. trade-register-csv, legacy-export, unoda-graphql, sparql-json).';
COMMENT ON COLUMN load_manifest.source_release IS 'Release or version the source reports for this payload, where it reports one.';
COMMENT ON COLUMN load_manifest.rows_in IS 'Rows read from the payload.';
COMMENT ON COLUMN load_manifest.rows_loaded IS 'Rows that reached a warehouse table.';
COMMENT ON COLUMN load_manifest.rows_quarantined IS 'Rows set aside in quarantine, with a reason.';
COMMENT ON COLUMN load_manifest.origin IS 'How the payload arrived: recording (bundled, replayed), live (fetched from the endpoint) or import (a user''s file).';
COMMENT ON COLUMN load_manifest.run_id IS 'The run that landed this payload (run.run_id).';
