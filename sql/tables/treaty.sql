CREATE OR REPLACE TABLE treaty (
    treaty_id         VARCHAR PRIMARY KEY,
    unoda_short_name  VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    opened            DATE NOT NULL,          -- opened for signature
    entry_into_force  DATE,
    depositaries      VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL
);
COMMENT ON TABLE treaty IS 'Arms-control treaties whose status lists UNODA publishes.';
COMMENT ON COLUMN treaty.treaty_id IS 'Short id (NPT, CTBT, ATT, ...); equals organisation.org_id.';
COMMENT ON COLUMN treaty.unoda_short_name IS 'The treaty''s short name in the UNODA treaties database.';
COMMENT ON COLUMN treaty.name IS 'Full name.';
COMMENT ON COLUMN treaty.opened IS 'Date opened for signature.';
COMMENT ON COLUMN treaty.entry_into_force IS 'Date of entry into force; NULL if not yet in force.';
COMMENT ON COLUMN treaty.depositaries IS 'Depositary governments or bodies, as UNODA lists them.';
COMMENT ON COLUMN treaty.kind IS 'Subject of the treaty: nuclear non-proliferation, nuclear testing, nuclear disarmament, chemical weapons, biological weapons, conventional arms trade.';
