-- One row per version of a SIPRI deal: the deal's fields as they stood from one release to another (inclusive).
-- A deal unchanged in a new release only extends valid_to_release, so storage grows by what changed.
CREATE TABLE IF NOT EXISTS deal_version (
    deal_key                VARCHAR NOT NULL,   -- deal.deal_id: SIPRI's deal ID, or L-<content hash> for legacy exports
    valid_from_release      VARCHAR NOT NULL,   -- data_release.release_id where this version first appeared
    valid_to_release        VARCHAR NOT NULL,   -- the last release that still had it
    release_label           VARCHAR,            -- SIPRI's "Data generated" label of valid_from_release
    payload_sha256          VARCHAR NOT NULL,   -- the payload the version was first read from
    content_hash            VARCHAR NOT NULL,   -- DuckDB's hash() of the compared fields: pipelines/history.py content_hash_sql
    source_format           VARCHAR NOT NULL,
    supplier_id             VARCHAR,
    recipient_id            VARCHAR,
    supplier_name           VARCHAR,
    recipient_name          VARCHAR,
    designation             VARCHAR,
    description             VARCHAR,
    armament_category       VARCHAR,
    order_year              INTEGER,
    order_year_is_estimate  BOOLEAN,
    numbers_ordered         BIGINT,
    numbers_delivered       BIGINT,
    first_delivery_year     INTEGER,
    last_delivery_year      INTEGER,
    status                  VARCHAR,
    tiv_unit_new            DOUBLE,
    tiv_unit_deal           DOUBLE,
    tiv_order               DOUBLE,
    tiv_delivered           DOUBLE,
    local_production        BOOLEAN,
    comments                VARCHAR
    -- unique (deal_key, valid_from_release) as built, without a PRIMARY KEY (pipelines/history.py: unkey_versions)
);
COMMENT ON TABLE deal_version IS 'Every version of every SIPRI deal across the releases kept, valid from one release to another (inclusive).';
COMMENT ON COLUMN deal_version.deal_key IS 'deal.deal_id: SIPRI deal ID (API format) or L-<content hash> (legacy export).';
COMMENT ON COLUMN deal_version.valid_from_release IS 'data_release.release_id in which this version first appeared.';
COMMENT ON COLUMN deal_version.valid_to_release IS 'The last data_release.release_id that still held this version.';
COMMENT ON COLUMN deal_version.release_label IS 'SIPRI release label (Data generated ...) of valid_from_release.';
COMMENT ON COLUMN deal_version.payload_sha256 IS 'SHA-256 of the payload the version was first read from (raw/sipri/<sha256>.*).';
COMMENT ON COLUMN deal_version.content_hash IS 'DuckDB''s hash() of source_format and the compared deal fields, as text (the scheme is in deal_version_hash); equal hashes mean an unchanged deal.';
COMMENT ON COLUMN deal_version.source_format IS 'trade-register-csv (API) or legacy-export.';
COMMENT ON COLUMN deal_version.supplier_id IS 'Supplier entity id.';
COMMENT ON COLUMN deal_version.recipient_id IS 'Recipient entity id.';
COMMENT ON COLUMN deal_version.supplier_name IS 'Supplier as SIPRI spelled it in this version.';
COMMENT ON COLUMN deal_version.recipient_name IS 'Recipient as SIPRI spelled it in this version.';
COMMENT ON COLUMN deal_version.designation IS 'Weapon designation.';
COMMENT ON COLUMN deal_version.description IS 'Weapon description.';
COMMENT ON COLUMN deal_version.armament_category IS 'SIPRI armament category (API format).';
COMMENT ON COLUMN deal_version.order_year IS 'Year of order.';
COMMENT ON COLUMN deal_version.order_year_is_estimate IS 'SIPRI marks the order year as uncertain.';
COMMENT ON COLUMN deal_version.numbers_ordered IS 'Items ordered (legacy export).';
COMMENT ON COLUMN deal_version.numbers_delivered IS 'Items delivered, all years.';
COMMENT ON COLUMN deal_version.first_delivery_year IS 'First delivery year.';
COMMENT ON COLUMN deal_version.last_delivery_year IS 'Last delivery year.';
COMMENT ON COLUMN deal_version.status IS 'New, Second hand, or Second hand but modernized.';
COMMENT ON COLUMN deal_version.tiv_unit_new IS 'SIPRI TIV of one item as new (millions).';
COMMENT ON COLUMN deal_version.tiv_unit_deal IS 'TIV per item applied in this deal (millions).';
COMMENT ON COLUMN deal_version.tiv_order IS 'TIV of the whole order (legacy export, millions).';
COMMENT ON COLUMN deal_version.tiv_delivered IS 'TIV delivered over all years (millions).';
COMMENT ON COLUMN deal_version.local_production IS 'Produced under licence in the recipient.';
COMMENT ON COLUMN deal_version.comments IS 'SIPRI''s comments (legacy export).';
