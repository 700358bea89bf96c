-- asset: membership
-- severity: warn
-- description: Wikidata disagrees with the curated alliance facts; the curated fact was used.
-- hint: Expected for a community-edited source; if Wikidata is right, correct data_contracts/reference/alliance_membership.csv.
SELECT org_id, entity_id, issue, wikidata_value, curated_value FROM reconciliation
