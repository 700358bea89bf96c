-- Per treaty: what the recording loaded against what the depositary published, as of the recording's date.
CREATE OR REPLACE VIEW treaty_coverage AS
WITH loaded AS (
  SELECT t.treaty_id, t.recorded_as_of, t.claims_complete, t.depositary_parties, t.depositary_signatories,
         (SELECT count(DISTINCT m.entity_id) FROM membership m
           WHERE m.org_id = t.treaty_id AND m.role = 'party' AND m.start_date <= t.recorded_as_of
             AND (m.end_date IS NULL OR m.end_date > t.recorded_as_of
                  OR (t.depositary_counts_withdrawn AND m.closed_by = 'withdrawal'))) AS loaded_parties,
         (SELECT count(DISTINCT m.entity_id) FROM membership m
           WHERE m.org_id = t.treaty_id AND m.role = 'signatory' AND m.start_date <= t.recorded_as_of
             AND (m.end_date IS NULL OR m.end_date > t.recorded_as_of)) AS loaded_signatories,
         t.coverage_source
  FROM treaty t)
SELECT treaty_id, recorded_as_of, depositary_parties, loaded_parties, depositary_signatories, loaded_signatories,
       CASE WHEN loaded_parties = depositary_parties AND loaded_signatories = depositary_signatories THEN 'complete'
            WHEN claims_complete THEN 'incomplete (claimed complete)' ELSE 'partial' END AS coverage,
       coverage_source
FROM loaded;
COMMENT ON VIEW treaty_coverage IS 'Per treaty: parties and signatories (signed, not parties) loaded vs the depositary''s published counts as of treaty.recorded_as_of; coverage = complete | partial | incomplete (claimed complete). Rules treaty_coverage_complete/partial check the same numbers.';
