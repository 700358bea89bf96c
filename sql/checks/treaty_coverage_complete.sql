-- asset: membership
-- severity: error
-- description: A treaty whose recording claims completeness has exactly the depositary's published number of parties and of signatories (signed, not parties) as of recorded_as_of.
-- hint: The recorded UNODA response lacks (or has extra) parties or signatories: compare it with the depositary list named in treaty.coverage_source; if the recording cannot be completed from a citable source, set claims_complete to false in data_contracts/reference/treaties.csv.
WITH loaded AS (
  SELECT t.treaty_id, t.claims_complete, t.recorded_as_of, t.depositary_parties, t.depositary_signatories,
         (SELECT count(DISTINCT m.entity_id) FROM membership m
           WHERE m.org_id = t.treaty_id AND m.role = 'party' AND m.start_date <= t.recorded_as_of
             AND (m.end_date IS NULL OR m.end_date > t.recorded_as_of
                  OR (t.depositary_counts_withdrawn AND m.closed_by = 'withdrawal'))) AS loaded_parties,
         (SELECT count(DISTINCT m.entity_id) FROM membership m
           WHERE m.org_id = t.treaty_id AND m.role = 'signatory' AND m.start_date <= t.recorded_as_of
             AND (m.end_date IS NULL OR m.end_date > t.recorded_as_of)) AS loaded_signatories
  FROM treaty t)
SELECT treaty_id, recorded_as_of, depositary_parties, loaded_parties, depositary_signatories, loaded_signatories
FROM loaded
WHERE claims_complete AND (loaded_parties <> depositary_parties OR loaded_signatories <> depositary_signatories)
