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
COMMENT ON COLUMN nuclear_status.status IS 'npt_nuclear_weapon_state | npt_non_nuclear_weapon_state | npt_territory (a dependent territory whose sovereign is an NPT party: covered through it) | nuclear_armed_outside_npt | outside_npt';
