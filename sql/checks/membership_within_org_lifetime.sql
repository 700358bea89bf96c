-- asset: membership
-- severity: error
-- description: No membership starts before its treaty opened for signature or its alliance was founded, nor runs past a dissolution.
-- hint: A date is earlier than the organisation itself; usually a typo in the recorded response or reference file.
SELECT m.org_id, m.entity_id, m.role, m.start_date, m.end_date, o.founded, o.dissolved
FROM membership m JOIN organisation o USING (org_id)
WHERE m.start_date < o.founded
   OR (o.dissolved IS NOT NULL AND (m.end_date IS NULL OR m.end_date > o.dissolved))
