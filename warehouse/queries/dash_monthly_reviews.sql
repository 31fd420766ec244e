-- dash_monthly_reviews: per month × state × model, applications pending at month end (distinct agencies
-- in the last pending list of the month) and applications approved in the month (first participating
-- list showing them). The state grain of the monthly_reviews view; gap months carry NULL pending.
WITH ms AS (
    SELECT month, snapshot_id, as_of, coverage FROM monthly_snapshot WHERE list_kind = 'pending'
), combos AS (
    SELECT DISTINCT state, model FROM agreement_reviews
), pend AS (
    SELECT snapshot_id, state, model, count(DISTINCT agency_id) AS n FROM snapshot_rows GROUP BY ALL
), appr AS (
    SELECT CAST(date_trunc('month', approved_on) AS DATE) AS month, state, model, count(*) AS n
    FROM agreement_reviews WHERE outcome = 'approved' GROUP BY ALL
)
SELECT ms.month, c.state, c.model,
       CASE WHEN ms.coverage = 'gap' THEN NULL ELSE coalesce(p.n, 0) END AS pending,
       coalesce(a.n, 0) AS approved,
       ms.coverage,
       ms.as_of
FROM ms CROSS JOIN combos c
LEFT JOIN pend p ON p.snapshot_id = ms.snapshot_id AND p.state = c.state AND p.model = c.model
LEFT JOIN appr a ON a.month = ms.month AND a.state = c.state AND a.model = c.model
ORDER BY ms.month, c.state, c.model;
