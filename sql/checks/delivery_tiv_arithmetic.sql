-- asset: deal
-- severity: warn
-- description: TIV delivered equals numbers delivered times the deal's unit value, within the rounding of the published unit value (SIPRI has a few dozen exceptions per 17,000 rows).
-- hint: Usually SIPRI's own rounding or a revised unit value; worth a look, not a blocker.
SELECT v.deal_id, v.delivery_year, v.numbers_delivered, d.tiv_unit_deal, v.tiv_delivered,
       round(v.numbers_delivered * d.tiv_unit_deal, 3) AS expected
FROM delivery v JOIN deal d USING (deal_id)
WHERE v.tiv_delivered IS NOT NULL AND d.tiv_unit_deal IS NOT NULL AND v.numbers_delivered IS NOT NULL
  AND abs(v.tiv_delivered - v.numbers_delivered * d.tiv_unit_deal) > 0.005 * v.numbers_delivered + 0.01
