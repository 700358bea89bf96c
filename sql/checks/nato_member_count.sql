-- asset: membership
-- severity: error
-- description: The number of NATO members on each enlargement date matches the reference (12 in 1949 ... 32 since 2024-03-07).
-- hint: A NATO interval is missing, duplicated or misdated; see nato_accessions for which.
WITH expected(on_date, members) AS (VALUES
  (DATE '1949-04-04', 12), (DATE '1952-02-18', 14), (DATE '1955-05-06', 15), (DATE '1982-05-30', 16),
  (DATE '1990-10-03', 16), (DATE '1999-03-12', 19), (DATE '2004-03-29', 26), (DATE '2009-04-01', 28),
  (DATE '2017-06-05', 29), (DATE '2020-03-27', 30), (DATE '2023-04-04', 31), (DATE '2024-03-07', 32))
SELECT e.on_date, e.members AS expected,
       (SELECT count(DISTINCT entity_id) FROM membership m WHERE m.org_id = 'NATO' AND m.role = 'member'
          AND m.start_date <= e.on_date AND (m.end_date IS NULL OR m.end_date > e.on_date)) AS found
FROM expected e WHERE found <> e.members
