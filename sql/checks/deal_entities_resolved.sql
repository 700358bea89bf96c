-- asset: deal
-- severity: error
-- description: Every deal's supplier and recipient are known entities, and every delivery belongs to a deal.
-- hint: Run `armsflow query "select * from quarantine"`; add unknown names to data_contracts/reference/aliases.csv.
SELECT deal_id, supplier_id, recipient_id, 'entity missing' AS problem FROM deal
WHERE supplier_id NOT IN (SELECT entity_id FROM entity) OR recipient_id NOT IN (SELECT entity_id FROM entity)
UNION ALL
SELECT deal_id, NULL, NULL, 'delivery without deal' FROM delivery WHERE deal_id NOT IN (SELECT deal_id FROM deal)
