-- asset: deal
-- severity: warn
-- description: Per-year sums of the register's TIV delivered, by supplier (exports) and by recipient (imports), match SIPRI's TIV table of the same release (same "generated" date) within 1 million TIV. The table rounds each per-year sum to whole millions (at most 0.5 off) and per-delivery values carry their own rounding; on the whole 2024-04-13 register the largest difference is 0.5.
-- hint: A larger gap means the register and the table come from different pulls, or the register is a subset that lacks some of the party's deals; compare the release labels in load_manifest.
WITH tab AS (
    SELECT entity_id, party, direction, year, tiv,
           regexp_extract(release, 'generated:? (\d{1,2} [A-Za-z]{3} \d{4})', 1) AS generated
    FROM tiv_country_year
), spans AS (
    SELECT generated, direction, min(year) AS first_year, max(year) AS last_year FROM tab GROUP BY ALL
), parties AS (
    SELECT DISTINCT t.entity_id, t.party, t.direction, t.generated, s.first_year, s.last_year
    FROM tab t JOIN spans s USING (generated, direction)
), reg AS (
    SELECT 'export' AS direction, d.supplier_id AS entity_id, v.delivery_year AS year,
           regexp_extract(d.source_release, 'generated:? (\d{1,2} [A-Za-z]{3} \d{4})', 1) AS generated,
           sum(v.tiv_delivered) AS register_tiv
    FROM delivery v JOIN deal d USING (deal_id) WHERE v.tiv_delivered IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'import', d.recipient_id, v.delivery_year,
           regexp_extract(d.source_release, 'generated:? (\d{1,2} [A-Za-z]{3} \d{4})', 1), sum(v.tiv_delivered)
    FROM delivery v JOIN deal d USING (deal_id) WHERE v.tiv_delivered IS NOT NULL GROUP BY ALL
), reg_in AS (
    SELECT p.party, g.direction, g.year, g.generated, g.register_tiv
    FROM reg g JOIN parties p ON p.entity_id = g.entity_id AND p.direction = g.direction
     AND p.generated = g.generated AND g.year BETWEEN p.first_year AND p.last_year
)
SELECT coalesce(t.party, g.party) AS party, coalesce(t.direction, g.direction) AS direction,
       coalesce(t.year, g.year) AS year, round(g.register_tiv, 2) AS register_tiv, t.tiv AS table_tiv,
       round(coalesce(g.register_tiv, 0) - coalesce(t.tiv, 0), 2) AS difference
FROM tab t FULL JOIN reg_in g ON g.party = t.party AND g.direction = t.direction AND g.generated = t.generated
 AND g.year = t.year
WHERE coalesce(t.generated, g.generated) IN (SELECT generated FROM reg)
  AND abs(coalesce(g.register_tiv, 0) - coalesce(t.tiv, 0)) > 1.0
ORDER BY abs(coalesce(g.register_tiv, 0) - coalesce(t.tiv, 0)) DESC, party, year
