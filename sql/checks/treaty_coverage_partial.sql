-- asset: membership
-- severity: warn
-- description: A treaty recorded only partially: loaded parties and signatories fall short of (or exceed) the depositary's published counts as of recorded_as_of.
-- hint: Expected while the recording is partial (see pipelines/recorded/unoda/SOURCES.md); complete it from a citable depositary list and set claims_complete to true in data_contracts/reference/treaties.csv.
-- The counts come from the view treaty_coverage (sql/marts/treaty_coverage.sql), so the rule and `armsflow status`
-- can never disagree.
SELECT treaty_id, recorded_as_of, depositary_parties, loaded_parties, depositary_signatories, loaded_signatories
FROM treaty_coverage
WHERE coverage = 'partial'
