-- asset: membership
-- severity: error
-- description: India, Israel, Pakistan and South Sudan have never been NPT parties, and the DPRK is no party after its 2003-01-10 withdrawal.
-- hint: A treaty action in the UNODA data gives one of these states NPT party status; the recorded response is wrong.
SELECT entity_id, start_date, end_date, opened_by, 'NPT party, but never joined' AS problem
FROM membership WHERE org_id = 'NPT' AND role = 'party' AND entity_id IN ('IND', 'ISR', 'PAK', 'SSD')
UNION ALL
SELECT entity_id, start_date, end_date, opened_by, 'NPT party after its 2003 withdrawal'
FROM membership WHERE org_id = 'NPT' AND role = 'party' AND entity_id = 'PRK'
  AND (end_date IS NULL OR end_date > DATE '2003-01-10')
