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
