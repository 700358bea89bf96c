-- Every check run, kept so dashboards can show data quality next to the data.
CREATE TABLE IF NOT EXISTS check_result (
    run_id        VARCHAR NOT NULL,
    check_name    VARCHAR NOT NULL,
    asset         VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('contract', 'domain_rule')),
    severity      VARCHAR NOT NULL CHECK (severity IN ('error', 'warn')),
    passed        BOOLEAN NOT NULL,
    failing_rows  BIGINT  NOT NULL,
    sample        VARCHAR,
    description   VARCHAR NOT NULL,
    hint          VARCHAR,
    checked_at    TIMESTAMPTZ NOT NULL
);
