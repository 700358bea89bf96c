-- asset: membership
-- severity: error
-- description: NATO members and accession dates agree with the reference list (SOURCES §6), and nobody has left.
-- hint: Fix data_contracts/reference/alliance_membership.csv; Wikidata's claims never override it.
WITH ref(entity_id, accession) AS (VALUES
  ('BEL', DATE '1949-04-04'), ('CAN', DATE '1949-04-04'), ('DNK', DATE '1949-04-04'), ('FRA', DATE '1949-04-04'),
  ('ISL', DATE '1949-04-04'), ('ITA', DATE '1949-04-04'), ('LUX', DATE '1949-04-04'), ('NLD', DATE '1949-04-04'),
  ('NOR', DATE '1949-04-04'), ('PRT', DATE '1949-04-04'), ('GBR', DATE '1949-04-04'), ('USA', DATE '1949-04-04'),
  ('GRC', DATE '1952-02-18'), ('TUR', DATE '1952-02-18'), ('DEU', DATE '1955-05-06'), ('ESP', DATE '1982-05-30'),
  ('CZE', DATE '1999-03-12'), ('HUN', DATE '1999-03-12'), ('POL', DATE '1999-03-12'),
  ('BGR', DATE '2004-03-29'), ('EST', DATE '2004-03-29'), ('LVA', DATE '2004-03-29'), ('LTU', DATE '2004-03-29'),
  ('ROU', DATE '2004-03-29'), ('SVK', DATE '2004-03-29'), ('SVN', DATE '2004-03-29'),
  ('ALB', DATE '2009-04-01'), ('HRV', DATE '2009-04-01'), ('MNE', DATE '2017-06-05'), ('MKD', DATE '2020-03-27'),
  ('FIN', DATE '2023-04-04'), ('SWE', DATE '2024-03-07')),
nato AS (SELECT entity_id, start_date, end_date FROM membership WHERE org_id = 'NATO' AND role = 'member')
SELECT coalesce(n.entity_id, r.entity_id) AS entity_id, n.start_date AS found_start, r.accession AS expected_start,
       n.end_date AS found_end,
       CASE WHEN n.entity_id IS NULL THEN 'missing' WHEN r.entity_id IS NULL THEN 'not a NATO member'
            WHEN n.end_date IS NOT NULL THEN 'membership ends' ELSE 'accession date differs' END AS problem
FROM nato n FULL JOIN ref r USING (entity_id)
WHERE n.entity_id IS NULL OR r.entity_id IS NULL OR n.start_date <> r.accession OR n.end_date IS NOT NULL
