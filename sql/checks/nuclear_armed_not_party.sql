-- asset: nuclear_status
-- severity: error
-- description: No nuclear-armed state is an NPT party unless it is one of the five nuclear-weapon states.
-- hint: Check nuclear_facts.csv (since dates) against the state's NPT actions.
SELECT s.entity_id, s.start_date, s.end_date, s.status
FROM nuclear_status s JOIN nuclear_status a
  ON a.entity_id = s.entity_id AND a.status = 'nuclear_armed_outside_npt'
WHERE s.status = 'npt_non_nuclear_weapon_state' AND s.entity_id IN ('IND', 'ISR', 'PAK')
