-- asset: deal
-- severity: error
-- description: A deal's supplier and recipient are different entities.
-- hint: Two names resolved to one entity; check entity_alias for the names shown.
SELECT deal_id, supplier_name, recipient_name, supplier_id FROM deal WHERE supplier_id = recipient_id
