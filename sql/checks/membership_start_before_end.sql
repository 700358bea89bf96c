-- asset: membership
-- severity: error
-- description: Every membership interval starts before it ends.
-- hint: An end date (withdrawal, dissolution) is on or before the start date; check the source row.
SELECT org_id, entity_id, role, start_date, end_date FROM membership WHERE end_date IS NOT NULL AND end_date <= start_date
