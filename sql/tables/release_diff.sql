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
