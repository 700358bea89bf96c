-- What changed between the two newest SIPRI releases, one row per finding (see `armsflow diff`).
CREATE OR REPLACE TABLE release_diff (
    from_release   VARCHAR NOT NULL,
    to_release     VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('added', 'removed', 'changed', 'rename', 'ambiguous')),
    deal_key_from  VARCHAR,
    deal_key_to    VARCHAR,
    supplier_id    VARCHAR,
    recipient_id   VARCHAR,
    supplier_name  VARCHAR,
    recipient_name VARCHAR,
    designation    VARCHAR,
    order_year     INTEGER,
    field          VARCHAR,   -- changed: the field; rename: supplier_name or recipient_name
    old_value      VARCHAR,
    new_value      VARCHAR,
    tiv_effect     DOUBLE     -- change in tiv_delivered this row causes (added +, removed -, changed new - old)
);
COMMENT ON TABLE release_diff IS 'Deals added, removed and changed, entity renames and ambiguous legacy matches between the two newest SIPRI releases.';
COMMENT ON COLUMN release_diff.kind IS 'added, removed, changed (one row per field), rename (one row per deal and role), ambiguous (unmatched legacy candidates).';
COMMENT ON COLUMN release_diff.tiv_effect IS 'Millions of TIV delivered this row adds (+) or takes away (-).';
COMMENT ON COLUMN release_diff.from_release IS 'data_release.release_id of the older release (FROM).';
COMMENT ON COLUMN release_diff.to_release IS 'data_release.release_id of the newer release (TO).';
COMMENT ON COLUMN release_diff.deal_key_from IS 'The deal''s key in FROM (NULL for an added deal).';
COMMENT ON COLUMN release_diff.deal_key_to IS 'The deal''s key in TO (NULL for a removed deal).';
COMMENT ON COLUMN release_diff.supplier_id IS 'Supplier entity id.';
COMMENT ON COLUMN release_diff.recipient_id IS 'Recipient entity id.';
COMMENT ON COLUMN release_diff.supplier_name IS 'Supplier as SIPRI spells it (in TO, or FROM for a removed deal).';
COMMENT ON COLUMN release_diff.recipient_name IS 'Recipient as SIPRI spells it (in TO, or FROM for a removed deal).';
COMMENT ON COLUMN release_diff.designation IS 'Weapon designation.';
COMMENT ON COLUMN release_diff.order_year IS 'Order year.';
COMMENT ON COLUMN release_diff.field IS 'changed: the field that changed; rename: supplier_name or recipient_name; NULL otherwise.';
COMMENT ON COLUMN release_diff.old_value IS 'The value in FROM, as text.';
COMMENT ON COLUMN release_diff.new_value IS 'The value in TO, as text.';
