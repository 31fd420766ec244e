-- Agreements: one per agency x model, from the participating lists.
-- Identity rule: an agreement is (agency_id, model). A row listed twice in one snapshot (ICE's
-- duplicates: identical rows, or rows differing in SIGNED, TYPE or COUNTY) is one agreement whose
-- values come from the first of those rows in file order. Listing periods are runs of consecutive
-- participating snapshots; a gap ends one period and a re-appearance starts the next.
--
-- Two passes over the rows build two small tables that 030 and 040 work from too: one row per
-- agreement (_agreement_rows, which also numbers the agreements, so that later steps group, order and
-- join on an integer rather than on agreement_id strings) and one row per listing period (_periods,
-- kept as the table agreement_periods at the end).

CREATE OR REPLACE TEMP TABLE _psnap AS
SELECT snapshot_id, as_of, ord FROM _snap WHERE list_kind = 'participating';

-- Per agreement: the latest printed SIGNED, MOA and ADDENDUM (latest snapshot, then first row in file
-- order: `pos` as in 010), the first and last listing, and whether any value that 030 compares
-- differs between the agreement's rows (when none does, no listing can differ from the one before).
CREATE OR REPLACE TEMP TABLE _agreement_rows AS
SELECT row_number() OVER (ORDER BY agency_id, model) AS agreement, *
FROM (
    SELECT agency_id, model,
           arg_max(signed, pos) FILTER (WHERE signed IS NOT NULL) AS signed,
           arg_max(moa_url, pos) FILTER (WHERE moa_url IS NOT NULL) AS moa_url,
           arg_max(addendum_url, pos) FILTER (WHERE addendum_url IS NOT NULL) AS addendum_url,
           min(ord) AS first_ord, max(ord) AS last_ord,
           coalesce(min(signed) <> max(signed) OR min(moa_url) <> max(moa_url)
                    OR min(addendum_url) <> max(addendum_url) OR min(county) <> max(county)
                    OR min(agency_type) <> max(agency_type), false) AS values_vary
    FROM (
        SELECT r.agency_id, r.model, r.signed, r.moa_url, r.addendum_url, r.county, r.agency_type, p.ord,
               p.ord * 4294967296 - r.row_number AS pos
        FROM snapshot_rows r JOIN _psnap p USING (snapshot_id)
        WHERE r.agency_id IS NOT NULL
    )
    GROUP BY agency_id, model
);

-- Listing periods (gaps and islands on the snapshot ordinal), with the agreement's state as listed in
-- the period's first and last snapshot (the first row in file order there), and the signing that began
-- the period (`signed`): of the SIGNED dates printed while the period lasts (the first printed one in each
-- list), the latest one on or before the period's first list. A date ICE corrected while the period
-- lasted (a mistyped year or day fixed in a later list) counts as corrected; a date after the first list
-- (a re-signing of an agreement already in force, like ICE's 2013, 2016 and 2019-2020 renewals) does not
-- make a new signing. When every printed date is after the first list (typos), the first printed one.
CREATE OR REPLACE TEMP TABLE _periods AS
SELECT agreement, min(ord) AS first_ord, max(ord) AS last_ord,
       arg_min(state, ord) AS first_state, arg_max(state, ord) AS last_state,
       coalesce(arg_max(signed, ord) FILTER (WHERE signed <= listed_from), arg_min(signed, ord)) AS signed
FROM (
    SELECT *, min(as_of) OVER (PARTITION BY agreement, island) AS listed_from
    FROM (
        SELECT *, ord - row_number() OVER (PARTITION BY agreement ORDER BY ord) AS island
        FROM (
            SELECT a.agreement, p.ord, p.as_of, arg_min(coalesce(r.state, 'XX'), r.row_number) AS state,
                   arg_min(r.signed, r.row_number) AS signed
            FROM snapshot_rows r JOIN _psnap p USING (snapshot_id)
            JOIN _agreement_rows a ON a.agency_id = r.agency_id AND a.model = r.model
            GROUP BY a.agreement, p.ord, p.as_of
        )
    )
)
GROUP BY agreement, island;

DELETE FROM agreements;
INSERT INTO agreements
WITH listed AS (
    SELECT agreement, arg_max(last_state, last_ord) AS state, count(*) AS times_listed
    FROM _periods GROUP BY agreement
)
SELECT a.agency_id || ':' || a.model, a.agency_id, l.state, a.model, a.signed, a.moa_url, a.addendum_url,
       f.as_of, z.as_of, f.snapshot_id, z.snapshot_id, l.times_listed,
       CASE WHEN nx.ord IS NULL THEN 'active' ELSE 'ended' END,
       nx.as_of
FROM _agreement_rows a
JOIN listed l USING (agreement)
JOIN _psnap f ON f.ord = a.first_ord
JOIN _psnap z ON z.ord = a.last_ord
LEFT JOIN _psnap nx ON nx.ord = a.last_ord + 1;

DELETE FROM agreement_periods;
INSERT INTO agreement_periods
SELECT a.agency_id || ':' || a.model,
       row_number() OVER (PARTITION BY x.agreement ORDER BY x.first_ord),
       a.agency_id, x.last_state, a.model, f.as_of, z.as_of, nx.as_of, x.last_ord - x.first_ord + 1,
       f.snapshot_id, z.snapshot_id, nx.snapshot_id, x.signed, bf.as_of
FROM _periods x
JOIN _agreement_rows a USING (agreement)
JOIN _psnap f ON f.ord = x.first_ord
JOIN _psnap z ON z.ord = x.last_ord
LEFT JOIN _psnap nx ON nx.ord = x.last_ord + 1
LEFT JOIN _psnap bf ON bf.ord = x.first_ord - 1;
