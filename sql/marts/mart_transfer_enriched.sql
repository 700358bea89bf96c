-- Each deal, with both parties' alliance, treaty and nuclear status as of the order year (31 December).
CREATE OR REPLACE TABLE mart_transfer_enriched AS
WITH d AS (SELECT *, year_end(order_year) AS as_of_date FROM deal)
SELECT
    d.deal_id, d.order_year, d.as_of_date,
    d.supplier_id, s.name AS supplier, s.kind AS supplier_kind,
    d.recipient_id, r.name AS recipient, r.kind AS recipient_kind,
    d.designation, d.description, d.armament_category, d.status,
    d.numbers_ordered, d.numbers_delivered, d.first_delivery_year, d.last_delivery_year,
    d.tiv_unit_deal, d.tiv_delivered,
    is_member_on('NATO', d.supplier_id, d.as_of_date)          AS supplier_nato,
    is_member_on('NATO', d.recipient_id, d.as_of_date)         AS recipient_nato,
    nuclear_status_on(d.supplier_id, d.as_of_date)             AS supplier_nuclear_status,
    nuclear_status_on(d.recipient_id, d.as_of_date)            AS recipient_nuclear_status,
    is_member_on('NPT', d.supplier_id, d.as_of_date)           AS supplier_npt_party,
    is_member_on('NPT', d.recipient_id, d.as_of_date)          AS recipient_npt_party,
    is_member_on('ATT', d.supplier_id, d.as_of_date)           AS supplier_att_party,
    is_member_on('ATT', d.recipient_id, d.as_of_date)          AS recipient_att_party,
    alliances_on(d.supplier_id, d.as_of_date)                  AS supplier_alliances,
    alliances_on(d.recipient_id, d.as_of_date)                 AS recipient_alliances,
    d.source_release
FROM d
JOIN entity s ON s.entity_id = d.supplier_id
JOIN entity r ON r.entity_id = d.recipient_id;

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
