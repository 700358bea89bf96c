-- Each deal, with both parties' alliance, treaty and nuclear status as of the order year (31 December), and the
-- ATOP/COW pledges supplier and recipient shared then (sql/marts/alliance_pledges.sql).
-- A party's status depends only on (entity, date), so it is computed once per distinct pair (a few thousand,
-- whatever the register's size) and joined back: per-deal lookups made this step's memory grow with the deals
-- (10x register: +840 MB peak RSS).
-- The deals are read straight from `deal` each time (a CTE over them, used three times, was a materialised copy
-- of the whole table).
CREATE OR REPLACE TABLE mart_transfer_enriched AS
WITH deal_dates AS (
    SELECT DISTINCT supplier_id AS entity_a, recipient_id AS entity_b, year_end(order_year) AS as_of FROM deal
),
ap AS (SELECT * FROM alliance_pledges('deal_dates')),
pairs AS (SELECT supplier_id AS entity_id, year_end(order_year) AS as_of FROM deal
          UNION SELECT recipient_id, year_end(order_year) FROM deal),
st AS (SELECT * FROM entity_status('pairs'))
SELECT
    d.deal_id, d.order_year, d.as_of_date,
    d.supplier_id, s.name AS supplier, s.kind AS supplier_kind,
    d.recipient_id, r.name AS recipient, r.kind AS recipient_kind,
    d.designation, d.description, d.armament_category, d.status,
    d.numbers_ordered, d.numbers_delivered, d.first_delivery_year, d.last_delivery_year,
    d.tiv_unit_deal, d.tiv_delivered,
    ss.nato            AS supplier_nato,
    rs.nato            AS recipient_nato,
    ss.nuclear_status  AS supplier_nuclear_status,
    rs.nuclear_status  AS recipient_nuclear_status,
    ss.npt_party       AS supplier_npt_party,
    rs.npt_party       AS recipient_npt_party,
    ss.att_party       AS supplier_att_party,
    rs.att_party       AS recipient_att_party,
    ss.alliances       AS supplier_alliances,
    rs.alliances       AS recipient_alliances,
    ap.atop_defense, ap.atop_offense, ap.atop_neutrality, ap.atop_nonaggression, ap.atop_consultation,
    ap.cow_defense, ap.cow_neutrality, ap.cow_nonaggression, ap.cow_entente,
    ap.defense_alliances                                       AS shared_defense_alliances,
    ap.dataset_alliances                                       AS shared_dataset_alliances,
    d.source_release
FROM (SELECT *, year_end(order_year) AS as_of_date FROM deal) d
LEFT JOIN ap ON ap.entity_a = d.supplier_id AND ap.entity_b = d.recipient_id AND ap.as_of = d.as_of_date
JOIN entity s ON s.entity_id = d.supplier_id
JOIN entity r ON r.entity_id = d.recipient_id
LEFT JOIN st ss ON ss.entity_id = d.supplier_id AND ss.as_of IS NOT DISTINCT FROM d.as_of_date
LEFT JOIN st rs ON rs.entity_id = d.recipient_id AND rs.as_of IS NOT DISTINCT FROM d.as_of_date;
COMMENT ON COLUMN mart_transfer_enriched.atop_defense IS 'Supplier and recipient shared an ATOP alliance in which either pledged defense on 31 December (of the year / order year); NULL after ATOP coverage (2018)';
COMMENT ON COLUMN mart_transfer_enriched.atop_offense IS 'Shared ATOP alliance with an offense pledge; NULL after 2018';
COMMENT ON COLUMN mart_transfer_enriched.atop_neutrality IS 'Shared ATOP alliance with a neutrality pledge; NULL after 2018';
COMMENT ON COLUMN mart_transfer_enriched.atop_nonaggression IS 'Shared ATOP alliance with a non-aggression pledge; NULL after 2018';
COMMENT ON COLUMN mart_transfer_enriched.atop_consultation IS 'Shared ATOP alliance with a consultation pledge; NULL after 2018';
COMMENT ON COLUMN mart_transfer_enriched.cow_defense IS 'Shared COW Formal Alliance (v4.1) with a defense pledge; NULL after COW coverage (2012)';
COMMENT ON COLUMN mart_transfer_enriched.cow_neutrality IS 'Shared COW alliance with a neutrality pledge; NULL after 2012';
COMMENT ON COLUMN mart_transfer_enriched.cow_nonaggression IS 'Shared COW alliance with a non-aggression pledge; NULL after 2012';
COMMENT ON COLUMN mart_transfer_enriched.cow_entente IS 'Shared COW entente; NULL after 2012';
COMMENT ON COLUMN mart_transfer_enriched.shared_defense_alliances IS 'ATOP/COW alliances with a defense pledge the pair shared, as "name (ATOP id)" for curated-linked alliances or "ATOP id"/"COW id"';
COMMENT ON COLUMN mart_transfer_enriched.shared_dataset_alliances IS 'Every ATOP/COW alliance the pair shared, any pledge';
COMMENT ON TABLE mart_transfer_enriched IS 'Each deal, with both parties'' alliance, treaty (NPT, ATT) and nuclear status as of 31 December of the order year.';
COMMENT ON COLUMN mart_transfer_enriched.deal_id IS 'The deal (deal.deal_id).';
COMMENT ON COLUMN mart_transfer_enriched.order_year IS 'Year the order was placed.';
COMMENT ON COLUMN mart_transfer_enriched.as_of_date IS '31 December of the order year: the date every status column refers to.';
COMMENT ON COLUMN mart_transfer_enriched.supplier_id IS 'Supplier entity (entity.entity_id).';
COMMENT ON COLUMN mart_transfer_enriched.supplier IS 'Supplier canonical name.';
COMMENT ON COLUMN mart_transfer_enriched.supplier_kind IS 'Supplier entity kind.';
COMMENT ON COLUMN mart_transfer_enriched.recipient_id IS 'Recipient entity (entity.entity_id).';
COMMENT ON COLUMN mart_transfer_enriched.recipient IS 'Recipient canonical name.';
COMMENT ON COLUMN mart_transfer_enriched.recipient_kind IS 'Recipient entity kind.';
COMMENT ON COLUMN mart_transfer_enriched.designation IS 'Weapon designation (deal.designation).';
COMMENT ON COLUMN mart_transfer_enriched.description IS 'SIPRI weapon description.';
COMMENT ON COLUMN mart_transfer_enriched.armament_category IS 'SIPRI armament category (API data only).';
COMMENT ON COLUMN mart_transfer_enriched.status IS 'New, Second hand, or Second hand but modernized.';
COMMENT ON COLUMN mart_transfer_enriched.numbers_ordered IS 'Items ordered (legacy export only).';
COMMENT ON COLUMN mart_transfer_enriched.numbers_delivered IS 'Items delivered, all years.';
COMMENT ON COLUMN mart_transfer_enriched.first_delivery_year IS 'First delivery year.';
COMMENT ON COLUMN mart_transfer_enriched.last_delivery_year IS 'Last delivery year.';
COMMENT ON COLUMN mart_transfer_enriched.tiv_unit_deal IS 'Unit value applied in the deal, millions of TIV.';
COMMENT ON COLUMN mart_transfer_enriched.tiv_delivered IS 'TIV delivered over all years, millions.';
COMMENT ON COLUMN mart_transfer_enriched.supplier_nato IS 'Supplier a NATO member on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.recipient_nato IS 'Recipient a NATO member on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.supplier_nuclear_status IS 'Supplier nuclear status on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.recipient_nuclear_status IS 'Recipient nuclear status on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.supplier_npt_party IS 'Supplier a party to the NPT on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.recipient_npt_party IS 'Recipient a party to the NPT on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.supplier_att_party IS 'Supplier a party to the Arms Trade Treaty on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.recipient_att_party IS 'Recipient a party to the Arms Trade Treaty on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.supplier_alliances IS 'Alliances the supplier belonged to on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.recipient_alliances IS 'Alliances the recipient belonged to on as_of_date.';
COMMENT ON COLUMN mart_transfer_enriched.source_release IS 'SIPRI release the deal came from.';
