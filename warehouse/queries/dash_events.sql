-- dash_events: what changed, newest first: agreements listed, ended and re-listed (agreement_events; the
-- first captured list is the baseline, not news) and applications that moved from pending to approved.
WITH first_list AS (
    SELECT min(as_of) AS d FROM snapshots WHERE status = 'published' AND list_kind = 'participating'
)
SELECT e.as_of, e.event, a.agency_name, e.state, e.model, s.file_name, e.agreement_id
FROM agreement_events e
JOIN agencies a USING (agency_id)
JOIN snapshots s ON s.snapshot_id = e.snapshot_id
WHERE e.event IN ('listed', 'ended', 'relisted') AND e.as_of > (SELECT d FROM first_list)
UNION ALL
SELECT r.approved_on, 'approved', a.agency_name, r.state, r.model, s.file_name, r.review_id
FROM agreement_reviews r
JOIN agencies a USING (agency_id)
JOIN snapshots s ON s.snapshot_id = r.approval_snapshot_id
WHERE r.outcome = 'approved'
ORDER BY 1 DESC, 2, 4, 3, 5;
