-- Treaty actions as UNODA lists them: one row per state, action and depositary (kept raw, not collapsed).
CREATE OR REPLACE TABLE treaty_action (
    treaty_id     VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    action        VARCHAR NOT NULL CHECK (action IN ('signature', 'ratification', 'accession', 'succession', 'withdrawal')),
    action_date   DATE NOT NULL,
    depositary    VARCHAR NOT NULL,
    state_name    VARCHAR NOT NULL,           -- as UNODA spelled it
    source        VARCHAR NOT NULL,
    PRIMARY KEY (treaty_id, entity_id, action, depositary, action_date)
);
COMMENT ON TABLE treaty_action IS 'Treaty actions as UNODA lists them: one row per state, action and depositary (kept raw, not collapsed).';
COMMENT ON COLUMN treaty_action.treaty_id IS 'Treaty (treaty.treaty_id).';
COMMENT ON COLUMN treaty_action.entity_id IS 'State that acted (entity.entity_id).';
COMMENT ON COLUMN treaty_action.action IS 'signature, ratification, accession, succession or withdrawal.';
COMMENT ON COLUMN treaty_action.action_date IS 'Date of the action (deposit date for ratification/accession).';
COMMENT ON COLUMN treaty_action.depositary IS 'Depositary where the action was recorded.';
COMMENT ON COLUMN treaty_action.state_name IS 'State as UNODA spelled it.';
COMMENT ON COLUMN treaty_action.source IS 'Where the row came from (unoda).';
