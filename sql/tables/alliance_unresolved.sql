-- ATOP/COW member spells (or parts) whose COW code no armsflow entity carries on those dates.
CREATE OR REPLACE TABLE alliance_unresolved (
    dataset      VARCHAR NOT NULL,
    alliance_id  BIGINT NOT NULL,
    cow_code     BIGINT NOT NULL,
    member_name  VARCHAR,
    gap_start    DATE NOT NULL,
    gap_end      DATE,
    reason       VARCHAR NOT NULL
);
COMMENT ON TABLE alliance_unresolved IS 'Report of COW codes not linked to an entity (the spell stays in alliance_member with entity_id NULL): add the state or former state to data_contracts/reference/entities.csv to resolve it';
COMMENT ON COLUMN alliance_unresolved.dataset IS 'atop or cow';
COMMENT ON COLUMN alliance_unresolved.alliance_id IS 'ATOP atopid or COW version4id';
COMMENT ON COLUMN alliance_unresolved.cow_code IS 'The COW state code that did not resolve';
COMMENT ON COLUMN alliance_unresolved.member_name IS 'COW state_name where the dataset gives one';
COMMENT ON COLUMN alliance_unresolved.gap_start IS 'Start of the unresolved part of the spell';
COMMENT ON COLUMN alliance_unresolved.gap_end IS 'End of the unresolved part (NULL = open)';
COMMENT ON COLUMN alliance_unresolved.reason IS 'Code unknown to the entity table, or no entity valid on those dates';
