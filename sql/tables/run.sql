-- One row per run (refresh, import, Dagster run) up to and including the one that published this file;
-- failed runs are kept too (from <home>/runs.jsonl), so the history shows what was refused and why.
CREATE OR REPLACE TABLE run (
    run_id      VARCHAR     NOT NULL PRIMARY KEY,
    command     VARCHAR     NOT NULL,
    sources     VARCHAR[],               -- sources given new data in this run
    payloads    JSON,                    -- per source: origin, release, payload sha256s
    counts      JSON,                    -- per step: rows written, rows quarantined
    checks      JSON,                    -- passed / blocking failures / warnings
    published   BOOLEAN     NOT NULL,
    error       VARCHAR,                 -- why it was not published
    started_at  TIMESTAMPTZ NOT NULL,
    seconds     DOUBLE      NOT NULL
);
COMMENT ON TABLE run IS 'One row per armsflow run: command, sources loaded, payload hashes, counts, checks, published or not, seconds.';
COMMENT ON COLUMN run.run_id IS 'Run id: UTC start time, command kind and process id (CLI) or the Dagster run id.';
COMMENT ON COLUMN run.command IS 'The command as typed (refresh --live --source sipri, import-sipri FILE) or dagster run JOB.';
COMMENT ON COLUMN run.sources IS 'Sources given new data in this run (the others kept their current batch).';
COMMENT ON COLUMN run.payloads IS 'Per source: origin, release label and the sha256 of every payload the run landed.';
COMMENT ON COLUMN run.counts IS 'Per step: the counts it reported (rows written, quarantined, ...).';
COMMENT ON COLUMN run.checks IS 'Checks passed, blocking failures, warnings and the names of those that failed.';
COMMENT ON COLUMN run.published IS 'TRUE when this run''s build became the published warehouse.';
COMMENT ON COLUMN run.error IS 'Why the run was not published (first line of the error); NULL when published.';
COMMENT ON COLUMN run.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN run.seconds IS 'Wall-clock seconds from start to publication or failure.';
