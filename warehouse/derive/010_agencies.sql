-- Agencies and their spellings, from the agency map built by flows/identity.py (temp table _agency_map).
-- Ties inside one snapshot are broken by file order, so the result never depends on load order.

CREATE OR REPLACE TEMP TABLE _rows AS
SELECT r.agency_id, r.state, r.agency_name, r.name_key, r.snapshot_id, r.row_number, r.agency_type, r.county,
       s.as_of, s.file_name AS snapshot_file
FROM snapshot_rows r JOIN snapshots s USING (snapshot_id)
WHERE s.status = 'published' AND r.agency_id IS NOT NULL;

DELETE FROM agency_names;
INSERT INTO agency_names
SELECT r.agency_id, coalesce(r.state, 'XX'), r.agency_name, r.name_key,
       coalesce(any_value(m.match_method), 'key'),
       min(r.as_of), max(r.as_of), count(DISTINCT r.snapshot_id)
FROM _rows r
LEFT JOIN _agency_map m ON coalesce(r.state, 'XX') = m.state AND r.name_key = m.name_key
GROUP BY r.agency_id, coalesce(r.state, 'XX'), r.agency_name, r.name_key;

DELETE FROM agencies;
INSERT INTO agencies
SELECT agency_id,
       arg_max(coalesce(state, 'XX'), (as_of, snapshot_file, -row_number)),
       arg_max(agency_name, (as_of, snapshot_file, -row_number)),
       arg_max(agency_type, (as_of, snapshot_file, -row_number)) FILTER (WHERE agency_type IS NOT NULL),
       arg_max(county, (as_of, snapshot_file, -row_number)) FILTER (WHERE county IS NOT NULL),
       min(as_of), max(as_of), count(DISTINCT agency_name)
FROM _rows
GROUP BY agency_id;
