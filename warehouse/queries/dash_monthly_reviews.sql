-- dash_monthly_reviews: per month × state × model, applications pending at month end and approved in
-- the month (the monthly_reviews_by_state view, in the column names the dashboards use).
SELECT month, state, model, pending_end_of_month AS pending, approved_in_month AS approved, coverage, as_of
FROM monthly_reviews_by_state
ORDER BY month, state, model;
