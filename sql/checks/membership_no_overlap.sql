-- asset: membership
-- severity: error
-- description: One entity's membership intervals in one organisation and role never overlap.
-- hint: Two sources (or two recorded actions) open the same membership twice; fix the reference row or the recorded response.
SELECT a.org_id, a.entity_id, a.role, a.start_date AS first_start, a.end_date AS first_end,
       b.start_date AS second_start, b.end_date AS second_end
FROM membership a JOIN membership b
  ON a.org_id = b.org_id AND a.entity_id = b.entity_id AND a.role = b.role AND a.start_date < b.start_date
WHERE a.end_date IS NULL OR a.end_date > b.start_date
