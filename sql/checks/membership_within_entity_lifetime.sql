-- asset: membership
-- severity: error
-- description: No membership outside the entity's own lifetime (no Soviet Union after 1991-12-26).
-- hint: The interval should end when the state ceased to exist, and a successor's start on or after its creation.
SELECT m.org_id, m.entity_id, m.role, m.start_date, m.end_date, e.valid_from, e.valid_to
FROM membership m JOIN entity e USING (entity_id)
WHERE (e.valid_to IS NOT NULL AND (m.end_date IS NULL OR m.end_date > e.valid_to OR m.start_date >= e.valid_to))
   OR (e.valid_from IS NOT NULL AND m.start_date < e.valid_from)
