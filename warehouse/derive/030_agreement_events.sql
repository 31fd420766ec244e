-- Events of each agreement, each with the snapshot that showed it:
-- listed (first appearance), ended (first snapshot without it), relisted (back after a gap),
-- model_stated (an agency from a list without models listed again with one), and
-- changes of SIGNED, MOA, ADDENDUM, COUNTY and TYPE between one listing and the next (only when both
-- values are printed: a column ICE had not yet introduced is not a change).

DELETE FROM agreement_events;
INSERT INTO agreement_events
WITH w AS (
    SELECT p.*,
           lag(ord) OVER win AS prev_ord, lead(ord) OVER win AS next_ord,
           lag(snapshot_id) OVER win AS prev_snapshot_id,
           lag(signed) OVER win AS prev_signed, lag(moa_url) OVER win AS prev_moa,
           lag(addendum_url) OVER win AS prev_addendum, lag(county) OVER win AS prev_county,
           lag(agency_type) OVER win AS prev_type
    FROM _presence p
    WINDOW win AS (PARTITION BY agreement_id ORDER BY ord)
), ev AS (
    SELECT w.*, 'listed' AS event, w.as_of AS ev_as_of, w.snapshot_id AS ev_snapshot, bf.snapshot_id AS ev_prev,
           NULL AS old_value, NULL AS new_value
    FROM w LEFT JOIN _psnap bf ON bf.ord = w.ord - 1 WHERE w.prev_ord IS NULL
    UNION ALL
    SELECT w.*, 'relisted', w.as_of, w.snapshot_id, bf.snapshot_id, NULL, NULL
    FROM w JOIN _psnap bf ON bf.ord = w.ord - 1 WHERE w.prev_ord < w.ord - 1
    UNION ALL
    -- A list without models (2007-2008) is followed by lists with them: when the agency is still
    -- listed, its UNKNOWN-model listing did not end, ICE started printing the model ('model_stated').
    SELECT w.*, CASE WHEN w.model = 'UNKNOWN' AND EXISTS (
                    SELECT 1 FROM _presence x WHERE x.agency_id = w.agency_id AND x.ord = w.ord + 1)
                THEN 'model_stated' ELSE 'ended' END,
           nx.as_of, nx.snapshot_id, w.snapshot_id, NULL, NULL
    FROM w JOIN _psnap nx ON nx.ord = w.ord + 1 WHERE w.next_ord IS NULL OR w.next_ord > w.ord + 1
    UNION ALL
    SELECT w.*, 'signed_changed', w.as_of, w.snapshot_id, w.prev_snapshot_id, CAST(prev_signed AS VARCHAR), CAST(signed AS VARCHAR)
    FROM w WHERE prev_signed IS NOT NULL AND signed IS NOT NULL AND prev_signed <> signed
    UNION ALL
    SELECT w.*, 'moa_changed', w.as_of, w.snapshot_id, w.prev_snapshot_id, prev_moa, moa_url
    FROM w WHERE prev_moa IS NOT NULL AND moa_url IS NOT NULL AND prev_moa <> moa_url
    UNION ALL
    SELECT w.*, 'addendum_changed', w.as_of, w.snapshot_id, w.prev_snapshot_id, prev_addendum, addendum_url
    FROM w WHERE prev_addendum IS NOT NULL AND addendum_url IS NOT NULL AND prev_addendum <> addendum_url
    UNION ALL
    SELECT w.*, 'county_changed', w.as_of, w.snapshot_id, w.prev_snapshot_id, prev_county, county
    FROM w WHERE prev_county IS NOT NULL AND county IS NOT NULL AND prev_county <> county
    UNION ALL
    SELECT w.*, 'type_changed', w.as_of, w.snapshot_id, w.prev_snapshot_id, prev_type, agency_type
    FROM w WHERE prev_type IS NOT NULL AND agency_type IS NOT NULL AND prev_type <> agency_type
)
SELECT agreement_id, agency_id, state, model, event, ev_as_of, ev_snapshot, ev_prev, old_value, new_value
FROM ev;
