-- snapshot_rows without its primary-key index. Maintaining the index cost about a tenth of a large
-- backfill (inserting every row into it, and writing it out at each commit), and nothing looks rows up
-- by key: readers scan and join. A row is still unique on (snapshot_id, row_number, model), by
-- construction: a load replaces a snapshot's rows whole, and warehouse/load.py refuses a batch that
-- repeats a key before writing anything.

CREATE TABLE snapshot_rows_unindexed (
    snapshot_id      VARCHAR NOT NULL,
    row_number       INTEGER NOT NULL,       -- row in the sheet (the header is row 1)
    model            VARCHAR NOT NULL,       -- JEM | TFM | WSO | UNKNOWN
    state            VARCHAR,                -- USPS code after fixes
    agency_name      VARCHAR,                -- cleaned spelling
    name_key         VARCHAR,                -- normalised identity key (see flows/identity.py)
    agency_id        VARCHAR,                -- stable agency id, filled by the derive step
    agency_type      VARCHAR,                -- County | Municipality | State Agency | Tribal | NULL
    county           VARCHAR,                -- ICE's COUNTY after verified fixes
    signed           DATE,                   -- cleaned (typos corrected, flagged in notes)
    moa_url          VARCHAR,
    addendum_url     VARCHAR,
    notes            VARCHAR,                -- corrections applied to this row
    raw_state        VARCHAR,
    raw_agency       VARCHAR,
    raw_type         VARCHAR,
    raw_county       VARCHAR,
    raw_support_type VARCHAR,
    raw_signed       VARCHAR,
    raw_moa          VARCHAR,
    raw_addendum     VARCHAR
);

INSERT INTO snapshot_rows_unindexed BY NAME
SELECT * FROM snapshot_rows ORDER BY snapshot_id, row_number, model;

DROP TABLE snapshot_rows;
ALTER TABLE snapshot_rows_unindexed RENAME TO snapshot_rows;
