-- Events of each agreement, each with the snapshot that showed it:
-- listed (first appearance), ended (first snapshot without it), relisted (back after a gap),
-- model_stated (an agency from a list without models listed again with one), and
-- changes of SIGNED, MOA, ADDENDUM, COUNTY and TYPE between one listing and the next (only when both
-- values are printed: a column ICE had not yet introduced is not a change).
-- Listings begin and end at the edges of the listing periods (_periods, 020); changes are looked for
-- only in the agreements whose rows print more than one value (_agreement_rows.values_vary), the only
-- ones that can have any.

DELETE FROM agreement_events;
INSERT INTO agreement_events
WITH listing AS (
    -- each listing of an agreement that may change, with the values of its first row in file order
    -- (arg_min skips NULLs: a value printed in any of a snapshot's duplicate rows counts)
    SELECT a.agreement, p.ord,
           arg_min(coalesce(r.state, 'XX'), r.row_number) AS state,
           arg_min(r.signed, r.row_number) AS signed,
           arg_min(r.moa_url, r.row_number) AS moa_url,
           arg_min(r.addendum_url, r.row_number) AS addendum_url,
           arg_min(r.county, r.row_number) AS county,
           arg_min(r.agency_type, r.row_number) AS agency_type
    FROM snapshot_rows r JOIN _psnap p USING (snapshot_id)
    JOIN _agreement_rows a ON a.agency_id = r.agency_id AND a.model = r.model AND a.values_vary
    GROUP BY a.agreement, p.ord
), changed AS (
    -- listings next to the one before them; `<>` is NULL unless both values are printed
    SELECT * FROM (
        SELECT l.*, lag(ord) OVER win AS prev_ord,
               lag(signed) OVER win AS prev_signed, lag(moa_url) OVER win AS prev_moa,
               lag(addendum_url) OVER win AS prev_addendum, lag(county) OVER win AS prev_county,
               lag(agency_type) OVER win AS prev_type
        FROM listing l
        WINDOW win AS (PARTITION BY agreement ORDER BY ord)
    )
    WHERE prev_signed <> signed OR prev_moa <> moa_url OR prev_addendum <> addendum_url
       OR prev_county <> county OR prev_type <> agency_type
), ev AS (
    SELECT p.agreement, p.first_state AS state,
           CASE WHEN p.first_ord = a.first_ord THEN 'listed' ELSE 'relisted' END AS event,
           s.as_of, s.snapshot_id, bf.snapshot_id AS previous_snapshot_id,
           NULL AS old_value, NULL AS new_value
    FROM _periods p
    JOIN _agreement_rows a USING (agreement)
    JOIN _psnap s ON s.ord = p.first_ord
    LEFT JOIN _psnap bf ON bf.ord = p.first_ord - 1
    UNION ALL
    -- A list without models (2007-2008) is followed by lists with them: when the agency is still
    -- listed, its UNKNOWN-model listing did not end, ICE started printing the model ('model_stated').
    SELECT p.agreement, p.last_state,
           CASE WHEN a.model = 'UNKNOWN' AND EXISTS (
                    SELECT 1 FROM _periods y JOIN _agreement_rows ya USING (agreement)
                    WHERE ya.agency_id = a.agency_id
                      AND p.last_ord + 1 BETWEEN y.first_ord AND y.last_ord)
                THEN 'model_stated' ELSE 'ended' END,
           nx.as_of, nx.snapshot_id, ls.snapshot_id, NULL, NULL
    FROM _periods p
    JOIN _agreement_rows a USING (agreement)
    JOIN _psnap nx ON nx.ord = p.last_ord + 1
    JOIN _psnap ls ON ls.ord = p.last_ord
    UNION ALL
    -- one event per changed column of each listing that changed
    SELECT agreement, state, event, as_of, snapshot_id, prev_snapshot_id, old_value, new_value
    FROM (
        SELECT c.agreement, c.state, s.as_of, s.snapshot_id, pv.snapshot_id AS prev_snapshot_id, unnest([
            {event: 'signed_changed', old_value: CAST(c.prev_signed AS VARCHAR),
             new_value: CAST(c.signed AS VARCHAR), changed: c.prev_signed <> c.signed},
            {event: 'moa_changed', old_value: c.prev_moa, new_value: c.moa_url,
             changed: c.prev_moa <> c.moa_url},
            {event: 'addendum_changed', old_value: c.prev_addendum, new_value: c.addendum_url,
             changed: c.prev_addendum <> c.addendum_url},
            {event: 'county_changed', old_value: c.prev_county, new_value: c.county,
             changed: c.prev_county <> c.county},
            {event: 'type_changed', old_value: c.prev_type, new_value: c.agency_type,
             changed: c.prev_type <> c.agency_type}
        ], recursive := true)
        FROM changed c
        JOIN _psnap s ON s.ord = c.ord
        JOIN _psnap pv ON pv.ord = c.prev_ord
    )
    WHERE changed
)
SELECT a.agency_id || ':' || a.model, a.agency_id, ev.state, a.model, ev.event, ev.as_of, ev.snapshot_id,
       ev.previous_snapshot_id, ev.old_value, ev.new_value
FROM ev JOIN _agreement_rows a USING (agreement);
