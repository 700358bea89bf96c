-- The one reusable "as of" construct. Intervals are [start_date, end_date); a year Y means 31 December of Y.
-- Stored in the warehouse, so analysts can use them too:
--   SELECT * FROM memberships_as_of(DATE '2024-12-31') WHERE org_id = 'NATO';
--   SELECT nuclear_status_on('PRK', DATE '2002-06-01');
CREATE OR REPLACE MACRO year_end(y) AS make_date(CAST(y AS BIGINT), 12, 31);

CREATE OR REPLACE MACRO memberships_as_of(d) AS TABLE
    SELECT * FROM membership WHERE start_date <= d AND (end_date IS NULL OR end_date > d);

-- TRUE when the entity was a party (treaty) or member (alliance) of the organisation on that date.
CREATE OR REPLACE MACRO is_member_on(p_org, p_entity, d) AS
    d IS NOT NULL AND EXISTS (SELECT 1 FROM membership m
        WHERE m.org_id = p_org AND m.entity_id = p_entity AND m.role IN ('party', 'member')
          AND m.start_date <= d AND (m.end_date IS NULL OR m.end_date > d));

-- party | member | signatory | NULL (none) on that date.
CREATE OR REPLACE MACRO role_on(p_org, p_entity, d) AS
    (SELECT min(m.role) FROM membership m
      WHERE d IS NOT NULL AND m.org_id = p_org AND m.entity_id = p_entity
        AND m.start_date <= d AND (m.end_date IS NULL OR m.end_date > d));

CREATE OR REPLACE MACRO nuclear_status_on(p_entity, d) AS
    (SELECT min(s.status) FROM nuclear_status s
      WHERE d IS NOT NULL AND s.entity_id = p_entity AND s.start_date <= d AND (s.end_date IS NULL OR s.end_date > d));

-- Alliances (not treaties) the entity belonged to on that date, sorted.
CREATE OR REPLACE MACRO alliances_on(p_entity, d) AS
    (SELECT list(m.org_id ORDER BY m.org_id) FROM membership m JOIN organisation o USING (org_id)
      WHERE d IS NOT NULL AND o.kind = 'alliance' AND m.entity_id = p_entity AND m.role = 'member'
        AND m.start_date <= d AND (m.end_date IS NULL OR m.end_date > d));

-- The statuses above for many (entity_id, as_of) pairs at once (`pairs`: a table or CTE name with those two
-- columns), by interval joins instead of one correlated lookup per row: the marts call this once per distinct
-- pair, so their cost follows the number of parties and dates, not of deals (same answers as the macros above).
-- An open end is compared as 9999-12-31, not with `end_date IS NULL OR ...`: an OR in a join condition makes DuckDB
-- fall back to a nested-loop join (0.11 s of mart_country_year's 0.16 s on the real register), comparisons alone
-- keep the hash join on entity_id.
CREATE OR REPLACE MACRO entity_status(pairs) AS TABLE
WITH p AS (SELECT DISTINCT entity_id, as_of FROM query_table(pairs)),
m AS (
    SELECT p.entity_id, p.as_of,
        coalesce(bool_or(m.org_id = 'NATO' AND m.role IN ('party', 'member')), FALSE) AS nato,
        coalesce(bool_or(m.org_id = 'NPT' AND m.role IN ('party', 'member')), FALSE)  AS npt_party,
        coalesce(bool_or(m.org_id = 'ATT' AND m.role IN ('party', 'member')), FALSE)  AS att_party,
        list(m.org_id ORDER BY m.org_id) FILTER (WHERE o.kind = 'alliance' AND m.role = 'member') AS alliances,
        list(m.org_id ORDER BY m.org_id) FILTER (WHERE o.kind = 'treaty' AND m.role = 'party') AS treaties_party
    FROM p
    LEFT JOIN membership m ON m.entity_id = p.entity_id AND m.start_date <= p.as_of
         AND coalesce(m.end_date, DATE '9999-12-31') > p.as_of
    LEFT JOIN organisation o ON o.org_id = m.org_id
    GROUP BY p.entity_id, p.as_of
), n AS (
    SELECT p.entity_id, p.as_of, min(s.status) AS nuclear_status
    FROM p
    LEFT JOIN nuclear_status s ON s.entity_id = p.entity_id AND s.start_date <= p.as_of
         AND coalesce(s.end_date, DATE '9999-12-31') > p.as_of
    GROUP BY p.entity_id, p.as_of
)
SELECT m.*, n.nuclear_status
FROM m JOIN n ON n.entity_id = m.entity_id AND n.as_of IS NOT DISTINCT FROM m.as_of;
