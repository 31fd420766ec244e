-- dash_events: what changed, newest first, one row per change: agreements listed, ended and re-listed
-- (agreement_events; the first captured list is the baseline, not news). A listing that was an
-- application on the pending list is shown as `approved` instead of `listed`, not as both. An agency of
-- the lists without a model (2007-2008) listed with one from 2011 on is one `model_stated` row, with the
-- model then printed, not an ending and a new listing.
WITH first_list AS (
    SELECT min(as_of) AS d FROM snapshots WHERE status = 'published' AND list_kind = 'participating'
)
SELECT e.as_of,
       CASE WHEN e.event <> 'ended' AND EXISTS (
                SELECT 1 FROM agreement_reviews r
                WHERE r.outcome = 'approved' AND r.agency_id = e.agency_id AND r.model = e.model
                  AND r.approved_on = e.as_of) THEN 'approved'
            ELSE e.event END AS event,
       a.agency_name, e.state, CASE WHEN e.event = 'model_stated' THEN e.new_value ELSE e.model END AS model,
       s.file_name, e.agreement_id
FROM agreement_events e
JOIN agencies a USING (agency_id)
JOIN snapshots s ON s.snapshot_id = e.snapshot_id
WHERE e.event IN ('listed', 'ended', 'relisted', 'model_stated') AND e.as_of > (SELECT d FROM first_list)
ORDER BY 1 DESC, 2, 4, 3, 5;
