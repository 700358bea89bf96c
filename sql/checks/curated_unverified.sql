-- asset: membership
-- severity: warn
-- description: Curated alliance memberships resting on a date not verified against the depositary (the row's source says "unverified"): the interval may start or end a little off.
-- hint: See data_contracts/reference/NOTES.md ("Still unverified"); replace the date from the depositary's table and drop the "unverified" remark in data_contracts/reference/alliance_membership.csv.
SELECT org_id, entity_id, start_date, end_date
FROM membership
WHERE source = 'curated:unverified'
ORDER BY org_id, entity_id, start_date
