-- Which organisation an organisation belongs to, by period (reference/region_changes.json): on
-- 1 January 2027 Region Hovedstaden and Region Sjælland become Region Østdanmark, so a course,
-- report or indicator for a day counts under that day's region. `valid_until` is the last day.
CREATE TABLE organisation_memberships (
    org_id BLOB NOT NULL REFERENCES organisations (id),
    parent_id BLOB NOT NULL REFERENCES organisations (id),
    valid_from TEXT NOT NULL,
    valid_until TEXT NULL CHECK (valid_until IS NULL OR valid_until >= valid_from),
    source TEXT NOT NULL CHECK (length(source) > 0),
    PRIMARY KEY (org_id, valid_from)
);
CREATE INDEX organisation_memberships_parent_idx ON organisation_memberships (parent_id, valid_from);

-- Its ISO 3166-2 code is not confirmed (DOMAIN.md §5.2 [U]): DK-OST is Samspor's own until it is.
INSERT INTO organisations (id, code, kind, name, parent_id, region_code, municipality_code, created_at)
VALUES (randomblob(16), 'DK-OST', 'region', 'Region Østdanmark', NULL, 'DK-OST', NULL, '2025-06-20T00:00:00Z');

INSERT INTO organisation_memberships (org_id, parent_id, valid_from, valid_until, source)
SELECT o.id, o.parent_id,
       CASE WHEN p.code IN ('DK-84', 'DK-85') THEN min(substr(o.created_at, 1, 10), '2026-12-31')
            ELSE substr(o.created_at, 1, 10) END,
       CASE WHEN p.code IN ('DK-84', 'DK-85') THEN '2026-12-31' END,
       'reference'
FROM organisations o JOIN organisations p ON p.id = o.parent_id;

INSERT INTO organisation_memberships (org_id, parent_id, valid_from, valid_until, source)
SELECT o.id, (SELECT id FROM organisations WHERE code = 'DK-OST'), '2027-01-01', NULL,
       'lov nr. 699 af 20. juni 2025 § 126'
FROM organisations o JOIN organisations p ON p.id = o.parent_id
WHERE p.code IN ('DK-84', 'DK-85');
