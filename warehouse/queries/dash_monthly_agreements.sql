-- dash_monthly_agreements: per month × state × model, agreements active at month end (rows of the last
-- participating list of the month, ICE's own count), signed in the month (the SIGNED date that began each
-- listing period; a re-signing of an agreement in force is not a new one) and ended in the month (first
-- list without them). Gap months (no list captured, the months before the first list among them) carry
-- NULL, never 0, except for signings, which are known from the SIGNED dates printed later.
SELECT m.month, m.state, m.model,
       m.active_end_of_month AS active,
       m.signed_in_month AS signed,
       m.ended_in_month AS ended,
       m.coverage,
       s.as_of
FROM monthly_agreements m
LEFT JOIN monthly_snapshot s ON s.list_kind = 'participating' AND s.month = m.month
ORDER BY m.month, m.state, m.model;
