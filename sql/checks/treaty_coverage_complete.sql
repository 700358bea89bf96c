-- asset: membership
-- severity: error
-- description: A treaty whose recording claims completeness has exactly the depositary's published number of parties and of signatories (signed, not parties) as of recorded_as_of.
-- hint: The recorded UNODA response lacks (or has extra) parties or signatories: compare it with the depositary list named in treaty.coverage_source; if the recording cannot be completed from a citable source, set claims_complete to false in data_contracts/reference/treaties.csv.
-- The counts come from the view treaty_coverage (sql/marts/treaty_coverage.sql), so the rule and `armsflow status`
-- can never disagree.
SELECT treaty_id, recorded_as_of, depositary_parties, loaded_parties, depositary_signatories, loaded_signatories
FROM treaty_coverage
WHERE coverage = 'incomplete (claimed complete)'
