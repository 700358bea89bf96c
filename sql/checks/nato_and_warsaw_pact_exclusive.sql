-- asset: membership
-- severity: error
-- description: No entity is in NATO and the Warsaw Pact at the same time.
-- hint: One of the two intervals is misdated; check the entity's accession or withdrawal date.
SELECT n.entity_id, n.start_date AS nato_start, w.start_date AS warsaw_start, w.end_date AS warsaw_end
FROM membership n JOIN membership w ON n.entity_id = w.entity_id
WHERE n.org_id = 'NATO' AND w.org_id = 'WARSAW_PACT'
  AND n.start_date < coalesce(w.end_date, DATE '9999-12-31') AND w.start_date < coalesce(n.end_date, DATE '9999-12-31')
