-- asset: deal
-- severity: warn
-- description: Deliveries fall no earlier than the year before the order. A warning, not a blocker: SIPRI's own register has such deals (deal 8206, M-47 tanks from the United States to South Korea, ordered 1958 (estimate) with a delivery in 1956, in the release generated 13 Apr 2024), and a rule must never refuse a real source's own data.
-- hint: Usually an estimated order year in SIPRI's data (order_year_is_estimate); worth a look, not a blocker.
SELECT v.deal_id, d.supplier_name, d.recipient_name, d.designation, d.order_year, d.order_year_is_estimate,
       v.delivery_year
FROM delivery v JOIN deal d USING (deal_id)
WHERE d.order_year IS NOT NULL AND v.delivery_year < d.order_year - 1
ORDER BY d.order_year - v.delivery_year DESC, v.deal_id
