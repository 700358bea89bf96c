-- Membership spells of ATOP and COW alliances, linked to entities by COW state code and validity dates.
CREATE OR REPLACE TABLE alliance_member (
    dataset          VARCHAR NOT NULL CHECK (dataset IN ('atop', 'cow')),
    alliance_id      BIGINT NOT NULL,
    cow_code         BIGINT NOT NULL,
    member_name      VARCHAR,
    entity_id        VARCHAR,
    phase            BIGINT,
    entry_date       DATE NOT NULL,
    entry_precision  VARCHAR NOT NULL CHECK (entry_precision IN ('day', 'month', 'year')),
    exit_date        DATE,
    exit_precision   VARCHAR CHECK (exit_precision IN ('day', 'month', 'year')),
    defense          TINYINT,
    offense          TINYINT,
    neutrality       TINYINT,
    nonaggression    TINYINT,
    consultation     TINYINT,
    entente          TINYINT,
    release          VARCHAR,
    source_file      VARCHAR NOT NULL,
    line_no          BIGINT NOT NULL
);
COMMENT ON TABLE alliance_member IS 'One row per member spell of an ATOP or COW alliance ([entry_date, exit_date)); a spell whose COW code changes entity (365: Soviet Union until 1991-12-26, Russia after) is split; a spell no entity covers keeps entity_id NULL and is reported, never dropped';
COMMENT ON COLUMN alliance_member.dataset IS 'atop or cow';
COMMENT ON COLUMN alliance_member.alliance_id IS 'ATOP atopid or COW version4id (alliance.alliance_id)';
COMMENT ON COLUMN alliance_member.cow_code IS 'COW state code as the dataset gives it (ATOP member, COW ccode)';
COMMENT ON COLUMN alliance_member.member_name IS 'COW state_name; NULL for ATOP, which gives codes only';
COMMENT ON COLUMN alliance_member.entity_id IS 'armsflow entity valid on these dates for the COW code; NULL when none is (see the unresolved report)';
COMMENT ON COLUMN alliance_member.phase IS 'ATOP treaty phase of the spell; NULL for COW';
COMMENT ON COLUMN alliance_member.entry_date IS 'First day of the known entry period (ATOP yrent/moent/dayent, COW mem_st_*); see entry_precision. Mostly signature dates';
COMMENT ON COLUMN alliance_member.entry_precision IS 'day, month or year (ATOP codes an unknown month or day as 0; no day is invented)';
COMMENT ON COLUMN alliance_member.exit_date IS 'First day of the known exit period; NULL = member at coverage end (ATOP yrexit 0, COW blank)';
COMMENT ON COLUMN alliance_member.exit_precision IS 'day, month or year; NULL when exit_date is NULL';
COMMENT ON COLUMN alliance_member.defense IS 'Member-level defense pledge (ATOP member row, COW member row)';
COMMENT ON COLUMN alliance_member.offense IS 'Member-level offense pledge (ATOP only)';
COMMENT ON COLUMN alliance_member.neutrality IS 'Member-level neutrality pledge';
COMMENT ON COLUMN alliance_member.nonaggression IS 'Member-level non-aggression pledge';
COMMENT ON COLUMN alliance_member.consultation IS 'Member-level consultation pledge (ATOP only)';
COMMENT ON COLUMN alliance_member.entente IS 'Member-level entente (COW only)';
COMMENT ON COLUMN alliance_member.release IS 'Dataset release from the file';
COMMENT ON COLUMN alliance_member.source_file IS 'File the row came from';
COMMENT ON COLUMN alliance_member.line_no IS 'Line of the row in source_file (header = line 1)';
