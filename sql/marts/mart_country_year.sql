-- Entity x year (1950 to the latest delivery year): TIV imported and exported, alliances and treaties held
-- on 31 December, nuclear status. Per-year TIV comes from the register's deliveries when they carry it
-- (API format); for a legacy export (totals per deal only) from SIPRI's TIV table (tiv_country_year) for the
-- parties and years the table covers (an empty cell there means no deliveries identified: 0); otherwise it is
-- NULL, not 0: unknown is not zero. tiv_basis says which: register, tiv_table, tiv_table_exports_only,
-- tiv_table_imports_only, or unknown.
CREATE OR REPLACE TABLE mart_country_year AS
WITH register_has_tiv AS (
    SELECT coalesce(bool_or(tiv_delivered IS NOT NULL), false) AS yes FROM delivery
), tiv_spans AS (
    SELECT direction, min(year) AS first_year, max(year) AS last_year FROM tiv_country_year GROUP BY ALL
), tiv_parties AS (
    SELECT DISTINCT entity_id, direction FROM tiv_country_year WHERE entity_id IS NOT NULL
), tiv_table AS (
    -- one value per entity, direction and year; 0 for a covered party's empty cell inside the table's span
    SELECT p.entity_id, p.direction, y.year, coalesce(max_by(t.tiv, t.release), 0) AS tiv
    FROM tiv_parties p JOIN tiv_spans s USING (direction)
    CROSS JOIN LATERAL (SELECT range AS year FROM range(s.first_year, s.last_year + 1)) y
    LEFT JOIN tiv_country_year t ON t.entity_id = p.entity_id AND t.direction = p.direction AND t.year = y.year
    GROUP BY ALL
), years AS (
    SELECT range AS year FROM range(1950, (SELECT coalesce(max(delivery_year), year(current_date)) + 1 FROM delivery))
), active AS (
    SELECT e.entity_id, e.name, e.kind, y.year
    FROM entity e CROSS JOIN years y
    WHERE e.entity_id IN (SELECT supplier_id FROM deal UNION SELECT recipient_id FROM deal
                          UNION SELECT entity_id FROM membership)
      AND (e.valid_from IS NULL OR year(e.valid_from) <= y.year)
      AND (e.valid_to IS NULL OR e.valid_to > year_end(y.year) OR year(e.valid_to) = y.year)
), flows AS (
    -- exports (by supplier) and imports (by recipient) per year in one pass over delivery x deal (grouping sets);
    -- deals with a delivery in the year: count(*), as a deal has one delivery row per year (delivery's key)
    SELECT CASE WHEN grouping(d.supplier_id) = 0 THEN d.supplier_id ELSE d.recipient_id END AS entity_id,
           v.delivery_year AS year, grouping(d.supplier_id) = 1 AS imports, sum(v.tiv_delivered) AS tiv,
           count(*) AS deals
    FROM delivery v JOIN deal d USING (deal_id)
    GROUP BY GROUPING SETS ((d.supplier_id, v.delivery_year), (d.recipient_id, v.delivery_year))
), active_dates AS (SELECT entity_id, year_end(year) AS as_of FROM active
), es AS (SELECT * FROM entity_status('active_dates')
), agg AS (
    SELECT entity_id, year, any_value(tiv) FILTER (WHERE NOT imports) AS tiv_exported,
           any_value(tiv) FILTER (WHERE imports) AS tiv_imported,
           coalesce(any_value(deals) FILTER (WHERE NOT imports), 0)::BIGINT AS deals_with_exports,
           coalesce(any_value(deals) FILTER (WHERE imports), 0)::BIGINT AS deals_with_imports
    FROM flows GROUP BY ALL
)
SELECT a.entity_id, a.name, a.kind, a.year,
       CASE WHEN r.yes THEN coalesce(g.tiv_imported, 0) ELSE ti.tiv END AS tiv_imported,
       CASE WHEN r.yes THEN coalesce(g.tiv_exported, 0) ELSE te.tiv END AS tiv_exported,
       CASE WHEN r.yes THEN 'register'
            WHEN ti.tiv IS NOT NULL AND te.tiv IS NOT NULL THEN 'tiv_table'
            WHEN te.tiv IS NOT NULL THEN 'tiv_table_exports_only'
            WHEN ti.tiv IS NOT NULL THEN 'tiv_table_imports_only'
            ELSE 'unknown' END AS tiv_basis,
       coalesce(g.deals_with_imports, 0) AS deals_with_imports, coalesce(g.deals_with_exports, 0) AS deals_with_exports,
       es.alliances, es.treaties_party, es.nato, es.nuclear_status
FROM active a CROSS JOIN register_has_tiv r
JOIN es ON es.entity_id = a.entity_id AND es.as_of = year_end(a.year)
LEFT JOIN agg g ON g.entity_id = a.entity_id AND g.year = a.year
LEFT JOIN tiv_table ti ON ti.entity_id = a.entity_id AND ti.year = a.year AND ti.direction = 'import'
LEFT JOIN tiv_table te ON te.entity_id = a.entity_id AND te.year = a.year AND te.direction = 'export';
COMMENT ON TABLE mart_country_year IS 'Entity x year (1950 to the latest delivery year): TIV imported and exported, alliances and treaties held on 31 December, NATO and nuclear status.';
COMMENT ON COLUMN mart_country_year.entity_id IS 'The entity (entity.entity_id).';
COMMENT ON COLUMN mart_country_year.name IS 'Entity name.';
COMMENT ON COLUMN mart_country_year.kind IS 'Entity kind (state, former_state, armed_group, organisation, unknown).';
COMMENT ON COLUMN mart_country_year.year IS 'Calendar year; statuses are as of 31 December.';
COMMENT ON COLUMN mart_country_year.tiv_imported IS 'TIV received in deliveries that year, millions; NULL when the loaded data has no per-year TIV (unknown is not zero).';
COMMENT ON COLUMN mart_country_year.tiv_exported IS 'TIV supplied in deliveries that year, millions; NULL when the loaded data has no per-year TIV.';
COMMENT ON COLUMN mart_country_year.deals_with_imports IS 'Deals with a delivery to the entity that year.';
COMMENT ON COLUMN mart_country_year.deals_with_exports IS 'Deals with a delivery from the entity that year.';
COMMENT ON COLUMN mart_country_year.alliances IS 'Alliances the entity was a member of on 31 December (sorted org ids).';
COMMENT ON COLUMN mart_country_year.treaties_party IS 'Treaties the entity was a party to on 31 December (sorted org ids).';
COMMENT ON COLUMN mart_country_year.nato IS 'TRUE when a NATO member on 31 December.';
COMMENT ON COLUMN mart_country_year.nuclear_status IS 'Nuclear status on 31 December (nuclear_status.status).';
COMMENT ON COLUMN mart_country_year.tiv_basis IS 'Where the year''s TIV comes from: register (sums of delivery.tiv_delivered), tiv_table (SIPRI''s TIV table, for a legacy export without per-year figures), tiv_table_exports_only / tiv_table_imports_only (the table covers one direction), or unknown (NULL TIV, never a silent 0).';
