-- asset: treaty_action
-- severity: warn
-- description: Treaty actions dated after the same state's withdrawal from that treaty (possible, e.g. re-accession, but worth a look).
-- hint: Check whether the state rejoined; membership treats only the first withdrawal after joining as its end.
SELECT a.treaty_id, a.entity_id, a.action, a.action_date, w.action_date AS withdrawal_date
FROM treaty_action a JOIN treaty_action w
  ON a.treaty_id = w.treaty_id AND a.entity_id = w.entity_id AND w.action = 'withdrawal'
WHERE a.action <> 'withdrawal' AND a.action_date > w.action_date
