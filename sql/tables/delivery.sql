-- One row per deal and delivery year. Legacy exports give only the years: their per-year figures stay NULL.
CREATE OR REPLACE TABLE delivery (
    deal_id                        VARCHAR NOT NULL,
    delivery_year                  INTEGER NOT NULL,
    numbers_delivered              BIGINT,
    numbers_delivered_is_estimate  BOOLEAN,
    delivery_year_is_estimate      BOOLEAN,
    tiv_delivered                  DOUBLE,
    payload_sha256                 VARCHAR,   -- provenance: the payload (raw/sipri/<sha256>.*) the row was read from
    source_release                 VARCHAR,   -- and its release label
    PRIMARY KEY (deal_id, delivery_year)
);
