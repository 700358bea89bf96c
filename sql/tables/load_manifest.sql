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
