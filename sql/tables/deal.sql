-- One row per SIPRI deal (an order of a weapon system from a supplier to a recipient).
CREATE OR REPLACE TABLE deal (
    deal_id                      VARCHAR NOT NULL,     -- SIPRI AT Database ID, or L-<hash>; unique (no PRIMARY KEY:
                                                       -- pipelines/stages/deals.py, DUPLICATE_DEALS)
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
COMMENT ON TABLE deal IS 'One row per SIPRI Arms Transfers Database deal: an order of a weapon system from a supplier to a recipient.';
COMMENT ON COLUMN deal.deal_id IS 'SIPRI AT Database ID, or L-<hash> for deals from legacy CSV exports (which carry no ID).';
COMMENT ON COLUMN deal.source_format IS 'Which SIPRI format the deal came from: trade-register-csv (API) or legacy-export.';
COMMENT ON COLUMN deal.supplier_id IS 'Supplier entity (entity.entity_id).';
COMMENT ON COLUMN deal.recipient_id IS 'Recipient entity (entity.entity_id).';
COMMENT ON COLUMN deal.supplier_name IS 'Supplier as SIPRI spelled it.';
COMMENT ON COLUMN deal.recipient_name IS 'Recipient as SIPRI spelled it.';
COMMENT ON COLUMN deal.designation IS 'Weapon designation as SIPRI gives it (e.g. a model name).';
COMMENT ON COLUMN deal.description IS 'SIPRI weapon description (e.g. combat aircraft).';
COMMENT ON COLUMN deal.armament_category IS 'SIPRI armament category (trade-register API only; NULL for legacy exports).';
COMMENT ON COLUMN deal.order_year IS 'Year the order was placed (or the deal agreed).';
COMMENT ON COLUMN deal.order_year_is_estimate IS 'TRUE when SIPRI marks the order year as uncertain.';
COMMENT ON COLUMN deal.numbers_ordered IS 'Number of items ordered (legacy export only).';
COMMENT ON COLUMN deal.numbers_ordered_is_estimate IS 'TRUE when SIPRI marks the number ordered as an estimate.';
COMMENT ON COLUMN deal.numbers_delivered IS 'Number of items delivered, total over all delivery years.';
COMMENT ON COLUMN deal.numbers_delivered_is_estimate IS 'TRUE when SIPRI marks the number delivered as an estimate.';
COMMENT ON COLUMN deal.first_delivery_year IS 'First year with a delivery.';
COMMENT ON COLUMN deal.last_delivery_year IS 'Last year with a delivery.';
COMMENT ON COLUMN deal.status IS 'SIPRI status of the items: New, Second hand, or Second hand but modernized.';
COMMENT ON COLUMN deal.tiv_unit_new IS 'SIPRI estimate of the unit value as new, in millions of TIV (API only).';
COMMENT ON COLUMN deal.tiv_unit_deal IS 'Unit value applied in this deal, in millions of TIV (SIPRI trend-indicator value).';
COMMENT ON COLUMN deal.tiv_order IS 'TIV of the whole order, in millions (legacy export only).';
COMMENT ON COLUMN deal.tiv_delivered IS 'TIV delivered over all delivery years, in millions.';
COMMENT ON COLUMN deal.local_production IS 'TRUE when the items were (partly) produced in the recipient country under licence.';
COMMENT ON COLUMN deal.comments IS 'SIPRI free-text comments (legacy export only).';
COMMENT ON COLUMN deal.source_release IS 'SIPRI release (data vintage) the deal was loaded from.';
COMMENT ON COLUMN deal.payload_sha256 IS 'SHA-256 of the raw payload the deal was parsed from (load_manifest.sha256).';
