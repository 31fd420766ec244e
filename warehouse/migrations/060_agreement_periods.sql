-- Listing periods as a table; the other model a dropped application was approved under; the
-- signature of the code the derived tables were built with.

-- One row per listing period of an agreement: an agreement is listed from the first participating
-- list of the period to the last, and ended at the next list, which does not show it. A re-listing
-- opens a new period, so "in force on day d" is listed_from <= d AND (ended_on IS NULL OR ended_on > d),
-- which agreements.first_seen / ended_on (the whole span) cannot answer across a gap.
CREATE TABLE agreement_periods (
    agreement_id      VARCHAR NOT NULL,
    period            INTEGER NOT NULL,      -- 1 = first listing, 2… = each re-listing
    agency_id         VARCHAR NOT NULL,
    state             VARCHAR NOT NULL,      -- as listed in the period's last list
    model             VARCHAR NOT NULL,
    listed_from       DATE NOT NULL,         -- as_of of the period's first participating list
    last_listed       DATE NOT NULL,         -- as_of of its last
    ended_on          DATE,                  -- as_of of the first list without it; NULL = still listed
    lists             INTEGER NOT NULL,      -- participating lists in the period
    first_snapshot_id VARCHAR NOT NULL,
    last_snapshot_id  VARCHAR NOT NULL,
    ended_snapshot_id VARCHAR
);

-- For a dropped review: the agency's other models that entered the participating list while the
-- application was pending or at the first list after it ('TFM', 'JEM+TFM'): the agency was listed,
-- though not for this model. NULL otherwise.
ALTER TABLE agreement_reviews ADD COLUMN listed_instead VARCHAR;

-- The digest of the derive code and reference data the derived tables were last built with
-- (flows/derive.py): a load rebuilds them when it differs, even when no snapshot changed.
CREATE TABLE derived_with (signature VARCHAR NOT NULL);
