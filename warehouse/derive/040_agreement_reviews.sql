-- Applications under review, from the pending lists. A review is a run of consecutive pending
-- snapshots listing the same agency x model. Outcome: approved when the agreement then appears in a
-- participating list (on or after the first pending sighting, before any later review of it, and
-- not already listed in the participating list just before the review began); open when it is still
-- in the newest pending list; dropped otherwise.

CREATE OR REPLACE TEMP TABLE _qsnap AS
SELECT snapshot_id, as_of, row_number() OVER (ORDER BY as_of, file_name, snapshot_id) AS ord
FROM snapshots WHERE status = 'published' AND list_kind = 'pending';

DELETE FROM agreement_reviews;
INSERT INTO agreement_reviews
WITH pend AS (
    SELECT r.agency_id, r.model, q.as_of, q.ord, arg_min(coalesce(r.state, 'XX'), r.row_number) AS state
    FROM snapshot_rows r JOIN _qsnap q USING (snapshot_id)
    WHERE r.agency_id IS NOT NULL
    GROUP BY r.agency_id, r.model, q.as_of, q.ord
), islands AS (
    SELECT *, ord - row_number() OVER (PARTITION BY agency_id, model ORDER BY ord) AS grp FROM pend
), episodes AS (
    SELECT agency_id, model, grp, arg_max(state, ord) AS state, min(as_of) AS first_seen, max(as_of) AS last_seen,
           count(*) AS n, max(ord) AS last_ord
    FROM islands GROUP BY agency_id, model, grp
), bounded AS (
    SELECT e.*, lead(first_seen) OVER (PARTITION BY agency_id, model ORDER BY first_seen) AS next_first,
           (SELECT max(ps.ord) FROM _psnap ps WHERE ps.as_of < e.first_seen) AS before_ord
    FROM episodes e
), approved AS (
    SELECT b.agency_id, b.model, b.first_seen, min(p.as_of) AS approved_on, arg_min(p.snapshot_id, p.ord) AS snap
    FROM bounded b
    JOIN _presence p ON p.agency_id = b.agency_id AND p.model = b.model
     AND p.as_of >= b.first_seen AND (b.next_first IS NULL OR p.as_of < b.next_first)
    WHERE NOT EXISTS (SELECT 1 FROM _presence x WHERE x.agency_id = b.agency_id AND x.model = b.model
                      AND x.ord = b.before_ord)
    GROUP BY b.agency_id, b.model, b.first_seen
)
SELECT b.agency_id || ':' || b.model || ':' || CAST(b.first_seen AS VARCHAR), b.agency_id, b.state, b.model,
       b.first_seen, b.last_seen, b.n,
       CASE WHEN a.approved_on IS NOT NULL THEN 'approved'
            WHEN b.last_ord = (SELECT max(ord) FROM _qsnap) THEN 'open'
            ELSE 'dropped' END,
       a.approved_on, a.snap, date_diff('day', b.first_seen, a.approved_on)
FROM bounded b LEFT JOIN approved a USING (agency_id, model, first_seen);
