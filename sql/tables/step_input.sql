-- The inputs each derived step was last built from (pipelines/reuse.py): a later run whose inputs have the same
-- digest keeps the step's tables instead of rebuilding them.
CREATE TABLE IF NOT EXISTS step_input (
    step        VARCHAR     NOT NULL PRIMARY KEY,
    digest      VARCHAR     NOT NULL,
    run_id      VARCHAR     NOT NULL,
    built_at    TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE step_input IS 'Selective rebuild: the digest of the inputs (code, reference files, upstream batches and tables) each derived step was last built from.';
COMMENT ON COLUMN step_input.step IS 'A derived step (entity, deal, membership, mart_...); see pipelines/steps.py.';
COMMENT ON COLUMN step_input.digest IS 'SHA-256 of the code and reference fingerprint, the current batch of every upstream source and the content digest of every upstream table.';
COMMENT ON COLUMN step_input.run_id IS 'The run that built the step''s tables from these inputs.';
COMMENT ON COLUMN step_input.built_at IS 'When that run built them.';
