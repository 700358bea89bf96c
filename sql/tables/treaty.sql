CREATE OR REPLACE TABLE treaty (
    treaty_id                   VARCHAR PRIMARY KEY,
    unoda_short_name            VARCHAR NOT NULL,
    name                        VARCHAR NOT NULL,
    opened                      DATE NOT NULL,          -- opened for signature
    entry_into_force            DATE,
    depositaries                VARCHAR NOT NULL,
    kind                        VARCHAR NOT NULL,
    recorded_as_of              DATE NOT NULL,
    depositary_parties          INTEGER NOT NULL CHECK (depositary_parties >= 0),
    depositary_signatories      INTEGER NOT NULL CHECK (depositary_signatories >= 0),
    depositary_counts_withdrawn BOOLEAN NOT NULL,
    claims_complete             BOOLEAN NOT NULL,
    coverage_source             VARCHAR NOT NULL,
    source                      VARCHAR NOT NULL
);
COMMENT ON TABLE treaty IS 'Arms-control treaties whose status lists UNODA publishes.';
COMMENT ON COLUMN treaty.treaty_id IS 'Short id (NPT, CTBT, ATT, ...); equals organisation.org_id.';
COMMENT ON COLUMN treaty.unoda_short_name IS 'The treaty''s short name in the UNODA treaties database.';
COMMENT ON COLUMN treaty.name IS 'Full name.';
COMMENT ON COLUMN treaty.opened IS 'Date opened for signature.';
COMMENT ON COLUMN treaty.entry_into_force IS 'Date of entry into force; NULL if not yet in force.';
COMMENT ON COLUMN treaty.depositaries IS 'Depositary governments or bodies, as UNODA lists them.';
COMMENT ON COLUMN treaty.kind IS 'Subject of the treaty: nuclear non-proliferation, nuclear testing, nuclear disarmament, chemical weapons, biological weapons, conventional arms trade.';
COMMENT ON TABLE treaty IS 'One row per arms-control treaty whose actions are recorded (data_contracts/reference/treaties.csv), with the depositary''s published counts the recording is checked against.';
COMMENT ON COLUMN treaty.treaty_id IS 'armsflow treaty id (NPT, CTBT, TPNW, PTBT, ATT, BWC, CWC); membership.org_id';
COMMENT ON COLUMN treaty.unoda_short_name IS 'UNODA treaties-database short name, the GraphQL short_name (test_ban is the PTBT)';
COMMENT ON COLUMN treaty.name IS 'Full name of the treaty';
COMMENT ON COLUMN treaty.opened IS 'Date the treaty opened for signature';
COMMENT ON COLUMN treaty.entry_into_force IS 'Date of entry into force; NULL while not in force (CTBT)';
COMMENT ON COLUMN treaty.depositaries IS 'Depositary governments or the UN Secretary-General, ''; ''-separated';
COMMENT ON COLUMN treaty.kind IS 'Subject of the treaty';
COMMENT ON COLUMN treaty.recorded_as_of IS 'Date of the depositary list the bundled recording reproduces; counts below are as of this date';
COMMENT ON COLUMN treaty.depositary_parties IS 'Parties as the depositary (or UNODA) published them on recorded_as_of';
COMMENT ON COLUMN treaty.depositary_signatories IS 'States that had signed but were not (or no longer) parties on recorded_as_of, from the depositary''s list';
COMMENT ON COLUMN treaty.depositary_counts_withdrawn IS 'TRUE when the published party count still includes states that withdrew (UNODA''s NPT count of 191 includes the DPRK)';
COMMENT ON COLUMN treaty.claims_complete IS 'TRUE when the recording claims every party and signatory as of recorded_as_of: rule treaty_coverage_complete then blocks on a count mismatch; FALSE: treaty_coverage_partial warns';
COMMENT ON COLUMN treaty.coverage_source IS 'Where the published counts and the recorded list come from (URL or repository, commit and path, and date)';
COMMENT ON COLUMN treaty.source IS 'Source of the row''s own facts (opening and entry-into-force dates, depositaries)';
