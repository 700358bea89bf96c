-- asset: deal
-- severity: error
-- description: No deal delivers more units than were ordered, where both are known.
-- hint: Numbers delivered or ordered in the source row is wrong.
SELECT deal_id, supplier_name, recipient_name, designation, numbers_ordered, numbers_delivered
FROM deal WHERE numbers_ordered IS NOT NULL AND numbers_delivered IS NOT NULL AND numbers_delivered > numbers_ordered
