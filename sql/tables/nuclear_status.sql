-- Nuclear status intervals, derived from NPT membership and curated facts (never typed per row).
CREATE OR REPLACE TABLE nuclear_status (
    entity_id   VARCHAR NOT NULL,
    status      VARCHAR NOT NULL CHECK (status IN ('npt_nuclear_weapon_state', 'npt_non_nuclear_weapon_state',
                                                   'npt_territory', 'nuclear_armed_outside_npt', 'outside_npt')),
    start_date  DATE NOT NULL,
    end_date    DATE,
    basis       VARCHAR NOT NULL,
    PRIMARY KEY (entity_id, start_date)
);
COMMENT ON TABLE nuclear_status IS 'Nuclear status intervals per entity, derived from NPT membership and curated facts (never typed per row).';
COMMENT ON COLUMN nuclear_status.entity_id IS 'The entity (entity.entity_id).';
COMMENT ON COLUMN nuclear_status.status IS 'npt_nuclear_weapon_state, npt_non_nuclear_weapon_state, nuclear_armed_outside_npt or outside_npt.';
COMMENT ON COLUMN nuclear_status.start_date IS 'First day of the interval (inclusive).';
COMMENT ON COLUMN nuclear_status.end_date IS 'Day the interval ended (exclusive); NULL while ongoing.';
COMMENT ON COLUMN nuclear_status.basis IS 'Why the status holds: the NPT membership it derives from, or the curated fact (with its source).';
COMMENT ON COLUMN nuclear_status.status IS 'npt_nuclear_weapon_state | npt_non_nuclear_weapon_state | npt_territory (a dependent territory whose sovereign is an NPT party: covered through it) | nuclear_armed_outside_npt | outside_npt';
