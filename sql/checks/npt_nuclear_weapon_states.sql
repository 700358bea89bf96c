-- asset: nuclear_status
-- severity: error
-- description: The NPT nuclear-weapon states are exactly the five that exploded a device before 1967-01-01 (USA, USSR/Russia, UK, France, China).
-- hint: Check data_contracts/reference/nuclear_facts.csv and the NPT treaty actions of the state named.
WITH five(entity_id) AS (VALUES ('USA'), ('SUN'), ('RUS'), ('GBR'), ('FRA'), ('CHN')),
today AS (SELECT entity_id FROM nuclear_status WHERE status = 'npt_nuclear_weapon_state'
          AND start_date <= current_date AND (end_date IS NULL OR end_date > current_date))
SELECT entity_id, 'is an NPT nuclear-weapon state but not one of the five' AS problem
FROM nuclear_status WHERE status = 'npt_nuclear_weapon_state' AND entity_id NOT IN (SELECT entity_id FROM five)
UNION ALL
SELECT entity_id, 'one of the five but not an NPT nuclear-weapon state today' FROM five
WHERE entity_id <> 'SUN' AND entity_id NOT IN (SELECT entity_id FROM today)
