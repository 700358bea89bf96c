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
