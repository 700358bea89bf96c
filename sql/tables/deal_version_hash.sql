-- How deal_version.content_hash was computed (pipelines/history.py content_hash_sql): DuckDB's hash() of the compared
-- fields, whose values may change between DuckDB versions. A run under another scheme rehashes the stored versions
-- from their fields before it records a release (migrate_content_hashes), so unchanged deals stay unchanged.
CREATE TABLE IF NOT EXISTS deal_version_hash (
    scheme      VARCHAR     NOT NULL,
    rehashed_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE deal_version_hash IS 'One row: the scheme deal_version.content_hash follows, and when the stored versions were last rehashed to it.';
COMMENT ON COLUMN deal_version_hash.scheme IS 'The DuckDB version whose hash() computed every stored content hash, as ''duckdb <version> hash()''.';
COMMENT ON COLUMN deal_version_hash.rehashed_at IS 'When the stored versions were (re)hashed to this scheme.';
