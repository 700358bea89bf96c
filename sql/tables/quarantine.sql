-- Every input row that did not reach a warehouse table, with the reason. Rows in = rows loaded + these.
CREATE TABLE IF NOT EXISTS quarantine (
    source          VARCHAR NOT NULL,
    stage           VARCHAR NOT NULL,        -- parse | resolve
    payload_sha256  VARCHAR NOT NULL,
    line_no         BIGINT,                  -- line (CSV) or record index (JSON) within the payload
    raw_text        VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL
);
COMMENT ON TABLE quarantine IS 'Every input row that did not reach a warehouse table, with the reason (rows in = rows loaded + these).';
COMMENT ON COLUMN quarantine.source IS 'Source the row came from.';
COMMENT ON COLUMN quarantine.stage IS 'Where it was set aside: parse (malformed) or resolve (name matched no entity).';
COMMENT ON COLUMN quarantine.payload_sha256 IS 'SHA-256 of the payload holding the row (load_manifest.sha256).';
COMMENT ON COLUMN quarantine.line_no IS 'Line (CSV) or record index (JSON) within the payload.';
COMMENT ON COLUMN quarantine.raw_text IS 'The row as received.';
COMMENT ON COLUMN quarantine.reason IS 'What was wrong, and what to do.';
