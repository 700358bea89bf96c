-- One row per deal and delivery year. Legacy exports give only the years: their per-year figures stay NULL.
CREATE OR REPLACE TABLE delivery (
    deal_id                        VARCHAR NOT NULL,
    delivery_year                  INTEGER NOT NULL,
    numbers_delivered              BIGINT,
    numbers_delivered_is_estimate  BOOLEAN,
    delivery_year_is_estimate      BOOLEAN,
    tiv_delivered                  DOUBLE,
    payload_sha256                 VARCHAR,   -- provenance: the payload (raw/sipri/<sha256>.*) the row was read from
    source_release                 VARCHAR    -- and its release label
    -- unique (deal_id, delivery_year), by construction and by the delivery contract (no PRIMARY KEY: see
    -- pipelines/stages/deals.py, DUPLICATE_DEALS)
);
COMMENT ON TABLE delivery IS 'One row per SIPRI deal and delivery year; legacy exports give only the years, so their per-year figures stay NULL.';
COMMENT ON COLUMN delivery.deal_id IS 'The deal (deal.deal_id).';
COMMENT ON COLUMN delivery.delivery_year IS 'Year of delivery.';
COMMENT ON COLUMN delivery.numbers_delivered IS 'Items delivered in that year (NULL when the source gives only totals).';
COMMENT ON COLUMN delivery.numbers_delivered_is_estimate IS 'TRUE when SIPRI marks the yearly number as an estimate.';
COMMENT ON COLUMN delivery.delivery_year_is_estimate IS 'TRUE when SIPRI marks the delivery year as uncertain.';
COMMENT ON COLUMN delivery.tiv_delivered IS 'TIV delivered in that year, in millions (NULL when unknown, never 0 for unknown).';
COMMENT ON COLUMN delivery.payload_sha256 IS 'SHA-256 of the payload this row was read from (raw/sipri/<sha256>.*): provenance.';
COMMENT ON COLUMN delivery.source_release IS 'The SIPRI release (label) this row belongs to.';
