-- Agreements: one per agency x model, from the participating lists.
-- Identity rule: an agreement is (agency_id, model). A row listed twice in one snapshot (ICE's
-- duplicates: identical rows, or rows differing in SIGNED, TYPE or COUNTY) is one agreement whose
-- values come from the first of those rows in file order. Listing periods are runs of consecutive
-- participating snapshots; a gap ends one period and a re-appearance starts the next.

CREATE OR REPLACE TEMP TABLE _psnap AS
SELECT snapshot_id, as_of, row_number() OVER (ORDER BY as_of, file_name, snapshot_id) AS ord
FROM snapshots WHERE status = 'published' AND list_kind = 'participating';

CREATE OR REPLACE TEMP TABLE _presence AS
SELECT r.agency_id, r.model, r.agency_id || ':' || r.model AS agreement_id, p.snapshot_id, p.as_of, p.ord,
       arg_min(coalesce(r.state, 'XX'), r.row_number) AS state,
       arg_min(r.signed, r.row_number) AS signed,
       arg_min(r.moa_url, r.row_number) AS moa_url,
       arg_min(r.addendum_url, r.row_number) AS addendum_url,
       arg_min(r.county, r.row_number) AS county,
       arg_min(r.agency_type, r.row_number) AS agency_type
FROM snapshot_rows r JOIN _psnap p USING (snapshot_id)
WHERE r.agency_id IS NOT NULL
GROUP BY r.agency_id, r.model, p.snapshot_id, p.as_of, p.ord;

DELETE FROM agreements;
INSERT INTO agreements
WITH stepped AS (
    SELECT *, ord - lag(ord) OVER (PARTITION BY agreement_id ORDER BY ord) AS step FROM _presence
), agg AS (
    SELECT agreement_id, any_value(agency_id) AS agency_id, arg_max(state, ord) AS state, any_value(model) AS model,
           arg_max(signed, ord) FILTER (WHERE signed IS NOT NULL) AS signed,
           arg_max(moa_url, ord) FILTER (WHERE moa_url IS NOT NULL) AS moa_url,
           arg_max(addendum_url, ord) FILTER (WHERE addendum_url IS NOT NULL) AS addendum_url,
           min(as_of) AS first_seen, max(as_of) AS last_seen,
           arg_min(snapshot_id, ord) AS first_snapshot_id, arg_max(snapshot_id, ord) AS last_snapshot_id,
           1 + count(*) FILTER (WHERE step > 1) AS times_listed, max(ord) AS last_ord
    FROM stepped GROUP BY agreement_id
)
SELECT a.agreement_id, a.agency_id, a.state, a.model, a.signed, a.moa_url, a.addendum_url,
       a.first_seen, a.last_seen, a.first_snapshot_id, a.last_snapshot_id, a.times_listed,
       CASE WHEN nx.ord IS NULL THEN 'active' ELSE 'ended' END,
       nx.as_of
FROM agg a LEFT JOIN _psnap nx ON nx.ord = a.last_ord + 1;
