-- One row per alliance of the ATOP or COW Formal Alliances dataset, as the dataset codes it.
CREATE OR REPLACE TABLE alliance (
    dataset                  VARCHAR NOT NULL CHECK (dataset IN ('atop', 'cow')),
    alliance_id              BIGINT NOT NULL,
    name                     VARCHAR,
    alliance_type            VARCHAR,
    start_date               DATE NOT NULL,
    start_precision          VARCHAR NOT NULL CHECK (start_precision IN ('day', 'month', 'year')),
    end_date                 DATE,
    end_precision            VARCHAR CHECK (end_precision IN ('day', 'month', 'year')),
    in_force_at_coverage_end BOOLEAN NOT NULL,
    defense                  TINYINT,
    offense                  TINYINT,
    neutrality               TINYINT,
    nonaggression            TINYINT,
    consultation             TINYINT,
    entente                  TINYINT,
    cow_alliance_id          BIGINT,
    release                  VARCHAR,
    source_file              VARCHAR NOT NULL,
    PRIMARY KEY (dataset, alliance_id)
);
COMMENT ON TABLE alliance IS 'Alliances of ATOP (atopdata.org) and COW Formal Alliances v4.1 (correlatesofwar.org), one row per dataset and alliance id; curated organisations stay the authority for NATO, SEATO, CENTO, Warsaw Pact, Rio Treaty, ANZUS';
COMMENT ON COLUMN alliance.dataset IS 'atop or cow';
COMMENT ON COLUMN alliance.alliance_id IS 'ATOP atopid, or COW version4id';
COMMENT ON COLUMN alliance.name IS 'Name where known: the curated organisation linked to this alliance (the datasets carry no names)';
COMMENT ON COLUMN alliance.alliance_type IS 'COW ss_type (Type I: Defense Pact, IIa/IIb: Neutrality/Non-Aggression Pact, III: Entente); NULL for ATOP';
COMMENT ON COLUMN alliance.start_date IS 'First day of the known start period (ATOP begyr/begmo/begday, COW all_st_*): month unknown -> 1 January, day unknown -> the 1st; see start_precision';
COMMENT ON COLUMN alliance.start_precision IS 'day, month or year: how much of start_date the dataset knows (ATOP codes unknown parts as 0)';
COMMENT ON COLUMN alliance.end_date IS 'First day of the known end period; NULL = in force at the end of the dataset coverage (ATOP endyr 0, COW blank)';
COMMENT ON COLUMN alliance.end_precision IS 'day, month or year; NULL when end_date is NULL';
COMMENT ON COLUMN alliance.in_force_at_coverage_end IS 'TRUE when the dataset codes the alliance as still in force at its coverage end (ATOP 5.1: 2018, COW v4.1: 2012)';
COMMENT ON COLUMN alliance.defense IS '1 = a member pledges active military support if an ally is attacked (ATOP defense, COW defense)';
COMMENT ON COLUMN alliance.offense IS '1 = offensive pledge (ATOP offense); NULL for COW, which does not code it';
COMMENT ON COLUMN alliance.neutrality IS '1 = neutrality pledge (ATOP neutral, COW neutrality)';
COMMENT ON COLUMN alliance.nonaggression IS '1 = non-aggression pledge (ATOP nonagg, COW nonaggression)';
COMMENT ON COLUMN alliance.consultation IS '1 = consultation pledge (ATOP consul); NULL for COW';
COMMENT ON COLUMN alliance.entente IS '1 = entente (COW entente); NULL for ATOP, whose nearest code is consultation';
COMMENT ON COLUMN alliance.cow_alliance_id IS 'The COW version4id of the same alliance: ATOP cow4id, COW its own id';
COMMENT ON COLUMN alliance.release IS 'Dataset release from the file (ATOP version column, COW version column)';
COMMENT ON COLUMN alliance.source_file IS 'File the row came from (zip!member for a zip)';
