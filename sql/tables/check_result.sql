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
COMMENT ON TABLE check_result IS 'Outcome of every data contract and domain rule, per run; dashboards show data quality next to the data.';
COMMENT ON COLUMN check_result.run_id IS 'Identifier of the run (refresh, import or check) that executed the check.';
COMMENT ON COLUMN check_result.check_name IS 'Name of the contract or domain rule (sql/checks/<name>.sql for rules).';
COMMENT ON COLUMN check_result.asset IS 'Warehouse table the check guards.';
COMMENT ON COLUMN check_result.kind IS 'contract (Great Expectations suite) or domain_rule (SQL rule in sql/checks).';
COMMENT ON COLUMN check_result.severity IS 'error blocks publication; warn is reported only.';
COMMENT ON COLUMN check_result.passed IS 'TRUE when no row failed the check.';
COMMENT ON COLUMN check_result.failing_rows IS 'Number of rows that failed the check.';
COMMENT ON COLUMN check_result.sample IS 'A few failing rows, as text, to start an investigation.';
COMMENT ON COLUMN check_result.description IS 'What the check asserts, in one sentence.';
COMMENT ON COLUMN check_result.hint IS 'What to do when the check fails.';
COMMENT ON COLUMN check_result.checked_at IS 'When the check ran.';
