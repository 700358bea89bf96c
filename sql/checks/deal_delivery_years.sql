-- asset: deal
-- severity: error
-- description: No delivery lies in the future (after the current year).
-- hint: The delivery year in the source row is wrong; deliveries before the order are only a warning (deal_delivery_before_order).
SELECT v.deal_id, d.order_year, v.delivery_year
FROM delivery v JOIN deal d USING (deal_id)
WHERE v.delivery_year > year(current_date)
