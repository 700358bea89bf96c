-- Every input row that did not reach a warehouse table, with the reason. Rows in = rows loaded + these.
CREATE TABLE IF NOT EXISTS quarantine (
    source          VARCHAR NOT NULL,
    stage           VARCHAR NOT NULL,        -- parse | resolve
    payload_sha256  VARCHAR NOT NULL,
    line_no         BIGINT,                  -- line (CSV) or record index (JSON) within the payload
    raw_text        VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL
);
