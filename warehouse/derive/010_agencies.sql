-- Agencies and their spellings, from the agency map built by flows/identity.py (temp table _agency_map).
-- Ties inside one snapshot are broken by file order, so the result never depends on load order.

-- Published snapshots in list order (date, file name, then id): `seq` over all of them, `ord` within
-- each kind of list (participating, pending). Later files number their listings with these.
CREATE OR REPLACE TEMP TABLE _snap AS
SELECT snapshot_id, as_of, list_kind,
       row_number() OVER (ORDER BY as_of, file_name, snapshot_id) AS seq,
       row_number() OVER (PARTITION BY list_kind ORDER BY as_of, file_name, snapshot_id) AS ord
FROM snapshots WHERE status = 'published';

-- One row per spelling (agency, state, name as printed, key), in one pass over the rows: both tables
-- below are aggregates of it. `pos` ranks a row by (snapshot, file order) in one BIGINT: a later
-- snapshot first, then, inside a snapshot, the smaller row number (row numbers are INTEGERs, so
-- snapshots 2^32 apart never overlap). `latest_pos` is the spelling's latest row, `*_pos` its latest
-- row with a TYPE / COUNTY.
CREATE OR REPLACE TEMP TABLE _spellings AS
SELECT agency_id, coalesce(state, 'XX') AS state, agency_name, name_key,
       min(as_of) AS first_seen, max(as_of) AS last_seen, count(DISTINCT seq) AS snapshots,
       max(pos) AS latest_pos,
       arg_max(agency_type, pos) FILTER (WHERE agency_type IS NOT NULL) AS agency_type,
       max(pos) FILTER (WHERE agency_type IS NOT NULL) AS agency_type_pos,
       arg_max(county, pos) FILTER (WHERE county IS NOT NULL) AS county,
       max(pos) FILTER (WHERE county IS NOT NULL) AS county_pos
FROM (
    SELECT r.agency_id, r.state, r.agency_name, r.name_key, r.agency_type, r.county, s.as_of, s.seq,
           s.seq * 4294967296 - r.row_number AS pos
    FROM snapshot_rows r JOIN _snap s USING (snapshot_id)
    WHERE r.agency_id IS NOT NULL
)
GROUP BY ALL;

DELETE FROM agency_names;
INSERT INTO agency_names
SELECT s.agency_id, s.state, s.agency_name, s.name_key, coalesce(m.match_method, 'key'),
       s.first_seen, s.last_seen, s.snapshots
FROM _spellings s
LEFT JOIN _agency_map m ON s.state = m.state AND s.name_key = m.name_key;

-- The latest row of an agency is the latest row of one of its spellings (ranks are unique per row).
DELETE FROM agencies;
INSERT INTO agencies
SELECT agency_id, arg_max(state, latest_pos), arg_max(agency_name, latest_pos),
       arg_max(agency_type, agency_type_pos), arg_max(county, county_pos),
       min(first_seen), max(last_seen), count(DISTINCT agency_name)
FROM _spellings
GROUP BY agency_id;
