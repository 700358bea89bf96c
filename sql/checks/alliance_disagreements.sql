-- asset: alliance
-- severity: warn
-- description: ATOP or COW disagrees with the curated alliance facts (often signature vs accession dates, or coverage ending before a later accession); the curated fact is what the warehouse uses.
-- hint: Expected for datasets coded by other conventions; see alliance_reconciliation.resolution. If the dataset is right, correct data_contracts/reference/alliance_membership.csv.
SELECT source, org_id, entity_id, issue, source_value, curated_value FROM alliance_reconciliation
