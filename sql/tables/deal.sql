-- One row per SIPRI deal (an order of a weapon system from a supplier to a recipient).
CREATE OR REPLACE TABLE deal (
    deal_id                      VARCHAR PRIMARY KEY,  -- SIPRI AT Database ID, or L-<hash> for legacy exports
    source_format                VARCHAR NOT NULL CHECK (source_format IN ('trade-register-csv', 'legacy-export')),
    supplier_id                  VARCHAR NOT NULL,
    recipient_id                 VARCHAR NOT NULL,
    supplier_name                VARCHAR NOT NULL,     -- as SIPRI spelled it
    recipient_name               VARCHAR NOT NULL,
    designation                  VARCHAR,
    description                  VARCHAR,
    armament_category            VARCHAR,              -- trade-register API only
    order_year                   INTEGER,
    order_year_is_estimate       BOOLEAN,
    numbers_ordered              BIGINT,               -- legacy export only
    numbers_ordered_is_estimate  BOOLEAN,
    numbers_delivered            BIGINT,               -- total over all delivery years
    numbers_delivered_is_estimate BOOLEAN,
    first_delivery_year          INTEGER,
    last_delivery_year           INTEGER,
    status                       VARCHAR CHECK (status IN ('New', 'Second hand', 'Second hand but modernized')),
    tiv_unit_new                 DOUBLE,               -- 'SIPRI estimate': unit value as new (API only)
    tiv_unit_deal                DOUBLE,               -- unit value applied in this deal
    tiv_order                    DOUBLE,               -- legacy export only
    tiv_delivered                DOUBLE,               -- millions of TIV, all delivery years
    local_production             BOOLEAN,
    comments                     VARCHAR,              -- legacy export only
    source_release               VARCHAR NOT NULL,
    payload_sha256               VARCHAR NOT NULL
);
