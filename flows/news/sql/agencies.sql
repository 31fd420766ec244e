-- Agencies the ICE lists know, to match agency mentions (state, name as printed, every spelling).
SELECT a.agency_id, a.state, a.agency_name FROM agencies a
UNION
SELECT n.agency_id, n.state, n.name_as_printed FROM agency_names n;
