-- asset: mart_transfer_enriched
-- severity: error
-- description: Every derived table (deals, memberships, marts) was built from each source's current batch; a warehouse mixing batches must not publish.
-- hint: Run `armsflow refresh` (it rebuilds every derived table from the current batches); if this persists, report a bug.
WITH current_batch AS (
    SELECT source, max(batch_id) AS batch_id FROM load_manifest GROUP BY source
)
SELECT t.table_name, t.source, t.batch_id AS built_from, c.batch_id AS current_batch
FROM table_batch t LEFT JOIN current_batch c USING (source)
WHERE t.batch_id IS DISTINCT FROM c.batch_id
UNION ALL
SELECT name, '(any)', NULL, 'no lineage recorded'
FROM (VALUES ('deal'), ('membership'), ('mart_transfer_enriched'), ('mart_country_year'), ('mart_dyad_year')) v(name)
WHERE name NOT IN (SELECT table_name FROM table_batch)
