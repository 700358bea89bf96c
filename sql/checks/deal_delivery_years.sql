-- asset: deal
-- severity: error
-- description: Deliveries fall between the year before the order and the current year.
-- hint: The delivery or order year in the source row is wrong.
SELECT v.deal_id, d.order_year, v.delivery_year
FROM delivery v JOIN deal d USING (deal_id)
WHERE v.delivery_year > year(current_date) OR (d.order_year IS NOT NULL AND v.delivery_year < d.order_year - 1)
