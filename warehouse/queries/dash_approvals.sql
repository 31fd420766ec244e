-- dash_approvals: every approved application with the days from its first pending sighting to the first
-- participating list that showed it (medians are taken per month in the figure, so filters apply).
SELECT CAST(date_trunc('month', r.approved_on) AS DATE) AS month, r.approved_on, r.state, r.model,
       r.days_to_approval, r.first_seen_pending, r.agency_id
FROM agreement_reviews r
WHERE r.outcome = 'approved'
ORDER BY r.approved_on, r.state, r.model, r.agency_id;
