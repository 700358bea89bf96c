-- Supplier x recipient x delivery year: TIV delivered, alliances shared on 31 December, both statuses, and the
-- ATOP/COW pledges the pair shared (sql/marts/alliance_pledges.sql; FALSE when no ATOP/COW data is loaded).
CREATE OR REPLACE TABLE mart_dyad_year AS
WITH dy AS (
    SELECT d.supplier_id, d.recipient_id, v.delivery_year AS year,
           sum(v.tiv_delivered) AS tiv_delivered, count(*) AS deals,  -- one delivery row per deal and year
           sum(v.numbers_delivered) AS numbers_delivered
    FROM delivery v JOIN deal d USING (deal_id) GROUP BY ALL
), dyad_dates AS (
    SELECT DISTINCT supplier_id AS entity_a, recipient_id AS entity_b, year_end(year) AS as_of FROM dy
), ap AS (SELECT * FROM alliance_pledges('dyad_dates')
), party_dates AS (
    SELECT supplier_id AS entity_id, year_end(year) AS as_of FROM dy UNION SELECT recipient_id, year_end(year) FROM dy
), es AS (SELECT * FROM entity_status('party_dates')
), st1 AS MATERIALIZED (
    -- the supplier's status, then the recipient's: left to itself DuckDB joined the two status lists on the date
    -- first (every pair of parties in a year: 2.6 million rows at 30x) before it looked at the dyads
    SELECT dy.*, ss.alliances AS sa, ss.nato AS supplier_nato, ss.nuclear_status AS supplier_nuclear_status
    FROM dy JOIN es ss ON ss.entity_id = dy.supplier_id AND ss.as_of = year_end(dy.year)
), st AS (
    SELECT st1.*, rs.alliances AS ra, rs.nato AS recipient_nato, rs.nuclear_status AS recipient_nuclear_status
    FROM st1 JOIN es rs ON rs.entity_id = st1.recipient_id AND rs.as_of = year_end(st1.year)
)
SELECT st.supplier_id, s.name AS supplier, st.recipient_id, r.name AS recipient, st.year,
       st.deals, st.numbers_delivered, st.tiv_delivered,
       list_intersect(coalesce(st.sa, []), coalesce(st.ra, [])) AS shared_alliances,
       len(list_intersect(coalesce(st.sa, []), coalesce(st.ra, []))) > 0 AS allied,
       st.supplier_nato, st.recipient_nato, st.supplier_nuclear_status, st.recipient_nuclear_status,
       ap.atop_defense, ap.atop_offense, ap.atop_neutrality, ap.atop_nonaggression, ap.atop_consultation,
       ap.cow_defense, ap.cow_neutrality, ap.cow_nonaggression, ap.cow_entente,
       ap.defense_alliances AS shared_defense_alliances, ap.dataset_alliances AS shared_dataset_alliances
FROM st JOIN entity s ON s.entity_id = st.supplier_id JOIN entity r ON r.entity_id = st.recipient_id
LEFT JOIN ap ON ap.entity_a = st.supplier_id AND ap.entity_b = st.recipient_id AND ap.as_of = year_end(st.year);
COMMENT ON COLUMN mart_dyad_year.atop_defense IS 'Supplier and recipient shared an ATOP alliance in which either pledged defense on 31 December (of the year / order year); NULL after ATOP coverage (2018)';
COMMENT ON COLUMN mart_dyad_year.atop_offense IS 'Shared ATOP alliance with an offense pledge; NULL after 2018';
COMMENT ON COLUMN mart_dyad_year.atop_neutrality IS 'Shared ATOP alliance with a neutrality pledge; NULL after 2018';
COMMENT ON COLUMN mart_dyad_year.atop_nonaggression IS 'Shared ATOP alliance with a non-aggression pledge; NULL after 2018';
COMMENT ON COLUMN mart_dyad_year.atop_consultation IS 'Shared ATOP alliance with a consultation pledge; NULL after 2018';
COMMENT ON COLUMN mart_dyad_year.cow_defense IS 'Shared COW Formal Alliance (v4.1) with a defense pledge; NULL after COW coverage (2012)';
COMMENT ON COLUMN mart_dyad_year.cow_neutrality IS 'Shared COW alliance with a neutrality pledge; NULL after 2012';
COMMENT ON COLUMN mart_dyad_year.cow_nonaggression IS 'Shared COW alliance with a non-aggression pledge; NULL after 2012';
COMMENT ON COLUMN mart_dyad_year.cow_entente IS 'Shared COW entente; NULL after 2012';
COMMENT ON COLUMN mart_dyad_year.shared_defense_alliances IS 'ATOP/COW alliances with a defense pledge the pair shared, as "name (ATOP id)" for curated-linked alliances or "ATOP id"/"COW id"';
COMMENT ON COLUMN mart_dyad_year.shared_dataset_alliances IS 'Every ATOP/COW alliance the pair shared, any pledge';
COMMENT ON TABLE mart_dyad_year IS 'Supplier x recipient x delivery year: TIV delivered, alliances shared on 31 December, both parties'' NATO and nuclear status.';
COMMENT ON COLUMN mart_dyad_year.supplier_id IS 'Supplier entity (entity.entity_id).';
COMMENT ON COLUMN mart_dyad_year.supplier IS 'Supplier name.';
COMMENT ON COLUMN mart_dyad_year.recipient_id IS 'Recipient entity (entity.entity_id).';
COMMENT ON COLUMN mart_dyad_year.recipient IS 'Recipient name.';
COMMENT ON COLUMN mart_dyad_year.year IS 'Delivery year; statuses are as of 31 December.';
COMMENT ON COLUMN mart_dyad_year.deals IS 'Deals with a delivery in that year.';
COMMENT ON COLUMN mart_dyad_year.numbers_delivered IS 'Items delivered in that year (NULL when unknown).';
COMMENT ON COLUMN mart_dyad_year.tiv_delivered IS 'TIV delivered in that year, millions (NULL when unknown).';
COMMENT ON COLUMN mart_dyad_year.shared_alliances IS 'Alliances both parties belonged to on 31 December.';
COMMENT ON COLUMN mart_dyad_year.allied IS 'TRUE when the parties shared at least one alliance.';
COMMENT ON COLUMN mart_dyad_year.supplier_nato IS 'TRUE when the supplier was a NATO member on 31 December.';
COMMENT ON COLUMN mart_dyad_year.recipient_nato IS 'TRUE when the recipient was a NATO member on 31 December.';
COMMENT ON COLUMN mart_dyad_year.supplier_nuclear_status IS 'Supplier nuclear status on 31 December.';
COMMENT ON COLUMN mart_dyad_year.recipient_nuclear_status IS 'Recipient nuclear status on 31 December.';
