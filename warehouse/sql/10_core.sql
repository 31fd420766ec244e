-- Core views over the ICE lists. Re-created on every migrate; see the README's data dictionary.

CREATE OR REPLACE VIEW snapshot_summary AS
SELECT s.file_name, s.sha256, s.list_kind, s.as_of,
       s.row_count AS agreements,
       count(DISTINCT r.agency_id) AS agencies,
       count(DISTINCT r.state) AS states,
       count(*) FILTER (WHERE r.model = 'JEM') AS jem,
       count(*) FILTER (WHERE r.model = 'TFM') AS tfm,
       count(*) FILTER (WHERE r.model = 'WSO') AS wso,
       count(*) FILTER (WHERE r.model = 'UNKNOWN') AS unknown_model,
       s.snapshot_id, s.source, s.status, s.as_of_basis, s.file_names, s.quality_notes
FROM snapshots s LEFT JOIN snapshot_rows r USING (snapshot_id)
GROUP BY ALL;
COMMENT ON VIEW snapshot_summary IS 'One row per snapshot (distinct file content): ICE''s row count as published (agreements), distinct agencies and states, rows per model.';

CREATE OR REPLACE VIEW monthly_snapshot AS
WITH p AS (
    SELECT snapshot_id, as_of, list_kind, file_name FROM snapshots WHERE status = 'published'
), bounds AS (
    SELECT list_kind, date_trunc('month', min(as_of)) AS lo, date_trunc('month', max(as_of)) AS hi FROM p GROUP BY list_kind
), months AS (
    SELECT list_kind, CAST(unnest(generate_series(lo, hi, INTERVAL 1 MONTH)) AS DATE) AS month FROM bounds
), last_in AS (
    SELECT list_kind, CAST(date_trunc('month', as_of) AS DATE) AS month,
           arg_max(snapshot_id, (as_of, file_name)) AS snapshot_id, max(as_of) AS as_of
    FROM p GROUP BY ALL
)
SELECT m.list_kind, m.month, l.snapshot_id, l.as_of,
       CASE WHEN l.snapshot_id IS NULL THEN 'gap' ELSE 'observed' END AS coverage
FROM months m LEFT JOIN last_in l USING (list_kind, month);
COMMENT ON VIEW monthly_snapshot IS 'For each list kind and calendar month: the last published snapshot in that month, or coverage = gap when no capture exists for the month.';

-- Whether a list of kind dated list_date, read for day d, stands inside a gap in the captures: a month
-- after the list's month, up to d's, has no list of that kind (monthly_snapshot's gap months), or there
-- is no list at all. Then what happened between the list and d is unknown, not "no change".
CREATE OR REPLACE MACRO in_capture_gap(kind, list_date, d) AS
    list_date IS NULL OR EXISTS (
        SELECT 1 FROM monthly_snapshot g
        WHERE g.list_kind = lower(kind) AND g.coverage = 'gap'
          AND g.month > date_trunc('month', CAST(list_date AS DATE))
          AND g.month <= date_trunc('month', CAST(d AS DATE)));

CREATE OR REPLACE VIEW monthly_agreements AS
WITH first_list AS (
    SELECT min(month) AS month FROM monthly_snapshot WHERE list_kind = 'participating'
), ms AS (
    SELECT month, snapshot_id, coverage FROM monthly_snapshot WHERE list_kind = 'participating'
    UNION ALL
    -- SIGNED dates reach back before the first captured list (FDLE 2002): those months are counted for
    -- their signings, with nothing known of what was in force (no list: a gap).
    SELECT CAST(unnest(generate_series(
               (SELECT date_trunc('month', min(signed)) FROM agreement_periods),
               (SELECT month FROM first_list) - INTERVAL 1 MONTH, INTERVAL 1 MONTH)) AS DATE),
           NULL, 'gap'
), combos AS (
    SELECT DISTINCT state, model FROM agreements
    UNION
    SELECT DISTINCT state, model FROM agreement_periods
), active AS (
    SELECT ms.month, coalesce(r.state, 'XX') AS state, r.model, count(*) AS n, count(DISTINCT r.agency_id) AS d
    FROM ms JOIN snapshot_rows r USING (snapshot_id) GROUP BY ALL
), signed AS (
    -- one signing per listing period: the SIGNED date that began it, not a later re-signing; a period
    -- that prints the same date as an earlier one of the agreement (back on the list after ICE dropped
    -- it for a while) is that signing again, counted once, in the state of its first period
    SELECT CAST(date_trunc('month', signed) AS DATE) AS month, state, model, count(*) AS n
    FROM (
        SELECT agreement_id, signed, arg_min(state, period) AS state, any_value(model) AS model
        FROM agreement_periods WHERE signed IS NOT NULL GROUP BY agreement_id, signed
    )
    GROUP BY ALL
), ended AS (
    SELECT CAST(date_trunc('month', as_of) AS DATE) AS month, state, model, count(*) AS n
    FROM agreement_events WHERE event = 'ended' GROUP BY ALL
)
SELECT ms.month, c.state, c.model,
       CASE WHEN ms.coverage = 'gap' THEN NULL ELSE coalesce(a.n, 0) END AS active_end_of_month,
       coalesce(s.n, 0) AS signed_in_month,
       CASE WHEN ms.coverage = 'gap' THEN NULL ELSE coalesce(e.n, 0) END AS ended_in_month,
       ms.coverage, ms.snapshot_id,
       CASE WHEN ms.coverage = 'gap' THEN NULL ELSE coalesce(a.d, 0) END AS distinct_agreements_end_of_month
FROM ms CROSS JOIN combos c
LEFT JOIN active a ON a.month = ms.month AND a.state = c.state AND a.model = c.model
LEFT JOIN signed s ON s.month = ms.month AND s.state = c.state AND s.model = c.model
LEFT JOIN ended e ON e.month = ms.month AND e.state = c.state AND e.model = c.model;
COMMENT ON VIEW monthly_agreements IS 'Per month, state and model: agreements active at month end as ICE lists them (rows of the last participating list of the month, ICE''s own count; NULL in gap months; distinct_agreements_end_of_month collapses ICE''s duplicate rows), agreements signed in the month (one signing per listing period: agreement_periods.signed, the SIGNED date that began it; re-signings of an agreement in force are not counted again; months before the first list are gap months with their signings), agreements ended in the month (first list without them).';

CREATE OR REPLACE VIEW monthly_reviews_by_state AS
WITH ms AS (
    SELECT month, snapshot_id, as_of, coverage FROM monthly_snapshot WHERE list_kind = 'pending'
    UNION ALL
    -- Approvals are seen in the participating lists, which may run past the last pending list: those
    -- months count their approvals, with the pending queue unobserved (gap).
    SELECT CAST(unnest(generate_series(
               (SELECT max(month) FROM monthly_snapshot WHERE list_kind = 'pending') + INTERVAL 1 MONTH,
               date_trunc('month', (SELECT max(approved_on) FROM agreement_reviews)),
               INTERVAL 1 MONTH)) AS DATE), NULL, NULL, 'gap'
), combos AS (
    SELECT DISTINCT state, model FROM agreement_reviews
), pend AS (
    SELECT snapshot_id, coalesce(state, 'XX') AS state, model, count(DISTINCT agency_id) AS n
    FROM snapshot_rows GROUP BY ALL
), appr AS (
    SELECT CAST(date_trunc('month', approved_on) AS DATE) AS month, state, model, count(*) AS n
    FROM agreement_reviews WHERE outcome = 'approved' GROUP BY ALL
)
SELECT ms.month, c.state, c.model,
       CASE WHEN ms.coverage = 'gap' THEN NULL ELSE coalesce(p.n, 0) END AS pending_end_of_month,
       coalesce(a.n, 0) AS approved_in_month,
       ms.coverage, ms.as_of
FROM ms CROSS JOIN combos c
LEFT JOIN pend p ON p.snapshot_id = ms.snapshot_id AND p.state = c.state AND p.model = c.model
LEFT JOIN appr a ON a.month = ms.month AND a.state = c.state AND a.model = c.model;
COMMENT ON VIEW monthly_reviews_by_state IS 'Per month, state and model: applications pending at month end (last pending list of the month; NULL in gap months) and approved in the month.';

CREATE OR REPLACE VIEW monthly_reviews AS
WITH med AS (
    SELECT CAST(date_trunc('month', approved_on) AS DATE) AS month, model, median(days_to_approval) AS med
    FROM agreement_reviews WHERE outcome = 'approved' GROUP BY ALL
)
SELECT s.month, s.model,
       sum(s.pending_end_of_month) AS pending_end_of_month,
       sum(s.approved_in_month) AS approved_in_month,
       any_value(m.med) AS median_days_to_approval,
       any_value(s.coverage) AS coverage
FROM monthly_reviews_by_state s LEFT JOIN med m USING (month, model)
GROUP BY s.month, s.model;
COMMENT ON VIEW monthly_reviews IS 'Per month and model: applications pending at month end (last pending list of the month), applications approved in the month, median days from first pending sighting to approval.';

CREATE OR REPLACE MACRO list_as_of(kind, d) AS TABLE
WITH snap AS (
    SELECT snapshot_id, as_of FROM snapshots
    WHERE status = 'published' AND list_kind = lower(kind) AND as_of <= CAST(d AS DATE)
    ORDER BY as_of DESC, file_name DESC LIMIT 1
)
SELECT snap.as_of AS list_as_of, r.agency_id, r.state, r.agency_name, r.agency_type, r.county, r.model,
       r.signed, r.moa_url, r.addendum_url, r.snapshot_id, r.row_number,
       in_capture_gap(kind, snap.as_of, d) AS in_gap
FROM snapshot_rows r JOIN snap USING (snapshot_id);

COMMENT ON MACRO TABLE list_as_of IS 'The rows of the last published list of kind (participating | pending) dated on or before d, with that list''s as-of date; in_gap: d is inside a gap in the captures (a month after list_as_of''s, up to d''s, has no list), so the rows are the last list before the gap, not what stood on d.';

-- The participating list (agreements in force) as it stood on date d.
CREATE OR REPLACE MACRO agreements_as_of(d) AS TABLE SELECT * FROM list_as_of('participating', d);
COMMENT ON MACRO TABLE agreements_as_of IS 'The participating list (agreements in force) as it stood on date d: the rows of the last published list dated on or before d.';

-- The pending list (applications under review) as it stood on date d.
CREATE OR REPLACE MACRO pending_as_of(d) AS TABLE
SELECT * EXCLUDE (signed, moa_url, addendum_url) FROM list_as_of('pending', d);
COMMENT ON MACRO TABLE pending_as_of IS 'The pending list (applications under review) as it stood on date d: the rows of the last published pending list dated on or before d.';

-- Agencies that left the program: every agreement they held has ended (one that switched models, or
-- whose agreement moved to another agency while it kept one of its own, is not here).
CREATE OR REPLACE VIEW agency_exits AS
SELECT a.agency_id, any_value(g.state) AS state, any_value(g.agency_name) AS agency_name,
       string_agg(DISTINCT a.model, '+' ORDER BY a.model) AS models,
       min(a.first_seen) AS first_listed, max(a.last_seen) AS last_listed, max(a.ended_on) AS exited_on
FROM agreements a JOIN agencies g USING (agency_id)
GROUP BY a.agency_id
HAVING bool_and(a.status = 'ended');
COMMENT ON VIEW agency_exits IS 'Agencies whose every agreement has ended: the models they held, first and last list showing them, and exited_on (the first list without any of their agreements).';

-- Everything the ICE lists say about the agencies whose name (any spelling ICE printed) contains
-- `pattern`, case-insensitive: each listing period of each agreement, and each application.
CREATE OR REPLACE MACRO agency_history(pattern) AS TABLE
WITH hit AS (
    SELECT DISTINCT agency_id FROM agency_names WHERE name_as_printed ILIKE '%' || pattern || '%'
)
SELECT g.state, g.agency_name, g.agency_id, 'agreement' AS record, p.model, p.listed_from AS since,
       p.ended_on AS until,
       CASE WHEN p.ended_on IS NULL THEN 'in force' WHEN m.event IS NOT NULL THEN 'model stated' ELSE 'ended' END
           AS status,
       a.signed, coalesce(a.moa_url, 'then listed as ' || m.new_value) AS detail
FROM hit JOIN agencies g USING (agency_id) JOIN agreement_periods p USING (agency_id)
JOIN agreements a USING (agreement_id)
-- a listing without a model (2007-2008) that went on with one: not an ending
LEFT JOIN agreement_events m ON m.agreement_id = p.agreement_id AND m.event = 'model_stated' AND m.as_of = p.ended_on
UNION ALL
SELECT g.state, g.agency_name, g.agency_id, 'application', r.model, r.first_seen_pending,
       coalesce(r.approved_on, CASE WHEN r.outcome = 'dropped' THEN r.last_seen_pending END), r.outcome, NULL,
       CASE WHEN r.listed_instead IS NOT NULL THEN 'the agency was listed under ' || r.listed_instead END
FROM hit JOIN agencies g USING (agency_id) JOIN agreement_reviews r USING (agency_id)
ORDER BY state, agency_name, since, record, model;
COMMENT ON MACRO TABLE agency_history IS 'Agencies whose name as ICE printed it contains pattern (any case): each listing period of each agreement (since, until = the first list without it, status in force | ended | model stated (a listing without a model that went on under the model in detail), signed, MOA) and each application (since = first pending list, until = approval or last pending list, status = outcome).';
