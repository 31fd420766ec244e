-- dash_monthly_reviews: per month × state × model, applications pending at month end and approved in
-- the month (the monthly_reviews_by_state view, in the column names the dashboards use). Coverage and
-- as_of are the pending lists'; approvals are seen in the participating lists, whose latest date is
-- participating_as_of.
SELECT month, state, model, pending_end_of_month AS pending, approved_in_month AS approved, coverage, as_of,
       (SELECT max(as_of) FROM snapshots WHERE status = 'published' AND list_kind = 'participating')
           AS participating_as_of
FROM monthly_reviews_by_state
ORDER BY month, state, model;
