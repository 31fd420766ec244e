-- Applications under review, from the pending lists. A review is a run of consecutive pending
-- snapshots listing the same agency x model. Outcome: approved when the agreement then appears in a
-- participating list (on or after the first pending sighting, before any later review of it, and
-- not already listed in the participating list just before the review began), or when it entered
-- the participating list in the 31 days before its first pending sighting (ICE updates the two
-- lists apart: the pending list still showed an application already approved; 0 days); open when
-- it is still in the newest pending list; dropped otherwise. A dropped review notes the agency's
-- other models that entered the participating list from the review's start (or in the 31 days
-- before it, as above) to the first participating list after its last pending sighting
-- (listed_instead: the agency was listed, though not for this model).

-- Pending snapshots in list order, each with the last participating list dated before it (0 when
-- none is): participating lists are ordered by date, so those dated before it are ords 1..before_ord;
-- and the first dated after it (after_ord; one past the last list when none is).
CREATE OR REPLACE TEMP TABLE _qsnap AS
SELECT q.snapshot_id, q.as_of, q.ord,
       coalesce((SELECT max(p.ord) FROM _psnap p WHERE p.as_of < q.as_of), 0) AS before_ord,
       coalesce((SELECT min(p.ord) FROM _psnap p WHERE p.as_of > q.as_of),
                (SELECT count(*) + 1 FROM _psnap)) AS after_ord
FROM _snap q WHERE q.list_kind = 'pending';

DELETE FROM agreement_reviews;
INSERT INTO agreement_reviews
WITH pend AS (
    SELECT r.agency_id, r.model, q.as_of, q.ord, q.before_ord, q.after_ord,
           arg_min(coalesce(r.state, 'XX'), r.row_number) AS state
    FROM snapshot_rows r JOIN _qsnap q USING (snapshot_id)
    WHERE r.agency_id IS NOT NULL
    GROUP BY r.agency_id, r.model, q.as_of, q.ord, q.before_ord, q.after_ord
), islands AS (
    SELECT *, ord - row_number() OVER (PARTITION BY agency_id, model ORDER BY ord) AS grp FROM pend
), episodes AS (
    -- before_ord grows with the date: the episode's is its first snapshot's
    SELECT agency_id, model, grp, arg_max(state, ord) AS state, min(as_of) AS first_seen, max(as_of) AS last_seen,
           count(*) AS n, max(ord) AS last_ord, min(before_ord) AS before_ord, max(after_ord) AS after_ord
    FROM islands GROUP BY agency_id, model, grp
), bounded AS (
    SELECT e.*, lead(first_seen) OVER (PARTITION BY agency_id, model ORDER BY first_seen) AS next_first
    FROM episodes e
), approved AS (
    -- the first participating listing from before_ord + 1 on: in each listing period that reaches
    -- that far, the later of its start and before_ord + 1
    SELECT b.agency_id, b.model, b.first_seen, min(greatest(x.first_ord, b.before_ord + 1)) AS ord
    FROM bounded b
    JOIN _agreement_rows a USING (agency_id, model)
    JOIN _periods x ON x.agreement = a.agreement AND x.last_ord > b.before_ord
    WHERE NOT EXISTS (SELECT 1 FROM _periods y WHERE y.agreement = a.agreement
                      AND b.before_ord BETWEEN y.first_ord AND y.last_ord)
    GROUP BY b.agency_id, b.model, b.first_seen
    UNION ALL
    -- listed just before the review began: approved already when its listing began in the month
    -- before the first pending sighting
    SELECT b.agency_id, b.model, b.first_seen, min(x.first_ord)
    FROM bounded b
    JOIN _agreement_rows a USING (agency_id, model)
    JOIN _periods x ON x.agreement = a.agreement AND b.before_ord BETWEEN x.first_ord AND x.last_ord
    JOIN _psnap s ON s.ord = x.first_ord AND s.as_of >= b.first_seen - INTERVAL 31 DAY
    GROUP BY b.agency_id, b.model, b.first_seen
), instead AS (
    SELECT b.agency_id, b.model, b.first_seen, string_agg(DISTINCT a.model, '+' ORDER BY a.model) AS models
    FROM bounded b
    JOIN _agreement_rows a ON a.agency_id = b.agency_id AND a.model <> b.model
    JOIN _periods x ON x.agreement = a.agreement AND x.first_ord <= b.after_ord
    JOIN _psnap s ON s.ord = x.first_ord AND (x.first_ord > b.before_ord OR s.as_of >= b.first_seen - INTERVAL 31 DAY)
    GROUP BY b.agency_id, b.model, b.first_seen
)
SELECT b.agency_id || ':' || b.model || ':' || CAST(b.first_seen AS VARCHAR), b.agency_id, b.state, b.model,
       b.first_seen, b.last_seen, b.n,
       CASE WHEN p.as_of IS NOT NULL THEN 'approved'
            WHEN b.last_ord = (SELECT max(ord) FROM _qsnap) THEN 'open'
            ELSE 'dropped' END,
       p.as_of, p.snapshot_id,
       CASE WHEN p.as_of IS NOT NULL THEN greatest(date_diff('day', b.first_seen, p.as_of), 0) END,
       CASE WHEN p.as_of IS NULL AND b.last_ord < (SELECT max(ord) FROM _qsnap) THEN i.models END
FROM bounded b
LEFT JOIN approved a USING (agency_id, model, first_seen)
LEFT JOIN instead i USING (agency_id, model, first_seen)
LEFT JOIN _psnap p ON p.ord = a.ord AND (b.next_first IS NULL OR p.as_of < b.next_first);
