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
