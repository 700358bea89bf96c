-- SIPRI's own per-year TIV totals by party (TIV tables, SOURCES.md §7): the yardstick for the register's per-year
-- sums, and the only per-year TIV a legacy export (totals per deal) can use in mart_country_year.
CREATE OR REPLACE TABLE tiv_country_year (
    entity_id       VARCHAR,
    party           VARCHAR NOT NULL,
    direction       VARCHAR NOT NULL CHECK (direction IN ('export', 'import')),
    year            INTEGER NOT NULL,
    tiv             DOUBLE NOT NULL CHECK (tiv >= 0),
    release         VARCHAR NOT NULL,
    payload_sha256  VARCHAR,
    PRIMARY KEY (party, direction, year, release)
);
COMMENT ON TABLE tiv_country_year IS 'SIPRI TIV table values: one row per party, direction and year with a value (empty cells, meaning no deliveries identified, have no row; the closing world-total row is not loaded).';
COMMENT ON COLUMN tiv_country_year.entity_id IS 'The party resolved through the sipri entity aliases; NULL when the name matched no entity.';
COMMENT ON COLUMN tiv_country_year.party IS 'The party exactly as SIPRI names it in the table (supplier for exports, recipient for imports).';
COMMENT ON COLUMN tiv_country_year.direction IS 'export (table "Exports by") or import (table of recipients).';
COMMENT ON COLUMN tiv_country_year.year IS 'Delivery year.';
COMMENT ON COLUMN tiv_country_year.tiv IS 'TIV in millions, as SIPRI rounds it (whole millions; 0 means between 0 and 0.5 million).';
COMMENT ON COLUMN tiv_country_year.release IS 'SIPRI TIV table generated <date> (or the recording''s own label), from the file''s preamble.';
COMMENT ON COLUMN tiv_country_year.payload_sha256 IS 'SHA-256 of the raw file the value came from.';
