-- Events of each agreement, each with the snapshot that showed it:
-- listed (first appearance), ended (first snapshot without it), relisted (back after a gap),
-- model_stated (an agency from a list without models listed again with one: one event, see below), and
-- changes of SIGNED, MOA, ADDENDUM, COUNTY and TYPE between one listing and the next (only when both
-- values are printed: a column ICE had not yet introduced is not a change).
-- Listings begin and end at the edges of the listing periods (_periods, 020); changes are looked for
-- only in the agreements whose rows print more than one value (_agreement_rows.values_vary), the only
-- ones that can have any.

-- ICE's first lists (2007-2008) print no model; the next one (2011) does. An agency whose UNKNOWN-model
-- listing ends in the very list where the agency first appears with a stated model did not end one
-- agreement and start another: ICE began printing its model. Each such UNKNOWN period gets one
-- `model_stated` event (old_value UNKNOWN, new_value the model or models then printed, e.g. 'JEM'),
-- neither `ended` nor, on the agreements of the stated models, `listed`. Decided from the listings
-- alone (list order), so it does not depend on load order.
CREATE OR REPLACE TEMP TABLE _model_stated AS
WITH stated AS (
    -- each agency's first list with a stated model, and the agreements listed there
    SELECT agency_id, first_ord, list(model ORDER BY model) AS models, list(agreement) AS agreements
    FROM (
        SELECT a.agency_id, a.model, a.agreement, a.first_ord,
               min(a.first_ord) OVER (PARTITION BY a.agency_id) AS agency_first
        FROM _agreement_rows a WHERE a.model <> 'UNKNOWN'
    )
    WHERE first_ord = agency_first
    GROUP BY agency_id, first_ord
)
SELECT p.agreement, p.last_ord, s.first_ord AS stated_ord, array_to_string(s.models, '+') AS models, s.agreements
FROM _periods p
JOIN _agreement_rows a USING (agreement)
JOIN stated s ON s.agency_id = a.agency_id AND s.first_ord = p.last_ord + 1
WHERE a.model = 'UNKNOWN';

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
    -- the first listing with a stated model of an agency that was listed without one until then is
    -- the model_stated event of its UNKNOWN agreement, not a new listing
    WHERE NOT EXISTS (SELECT 1 FROM _model_stated m
                      WHERE m.stated_ord = p.first_ord AND list_contains(m.agreements, p.agreement))
    UNION ALL
    SELECT p.agreement, p.last_state,
           CASE WHEN m.agreement IS NOT NULL THEN 'model_stated' ELSE 'ended' END,
           nx.as_of, nx.snapshot_id, ls.snapshot_id,
           CASE WHEN m.agreement IS NOT NULL THEN 'UNKNOWN' END, m.models
    FROM _periods p
    JOIN _psnap nx ON nx.ord = p.last_ord + 1
    JOIN _psnap ls ON ls.ord = p.last_ord
    LEFT JOIN _model_stated m ON m.agreement = p.agreement AND m.last_ord = p.last_ord
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
