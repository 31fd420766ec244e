-- Core evidence tables: raw files, snapshots and their rows, and what failed to load.
-- Every snapshot row points at its snapshot, every snapshot at the raw file (sha256) it came from.

CREATE TABLE raw_files (
    sha256            VARCHAR PRIMARY KEY,   -- digest of the bytes as archived
    size              BIGINT NOT NULL,
    source            VARCHAR NOT NULL,      -- source of the first sighting (spider name or 'backfill')
    file_name         VARCHAR NOT NULL,      -- base name at the first sighting
    url               VARCHAR,
    fetched_at        TIMESTAMP,             -- UTC, first sighting
    archive_path      VARCHAR NOT NULL,      -- path of the object inside the raw archive
    parse_status      VARCHAR NOT NULL,      -- loaded | failed | quarantined
    parse_error       VARCHAR                -- one line, when failed or quarantined
);

CREATE TABLE raw_file_sightings (
    sha256      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    fetched_at  TIMESTAMP NOT NULL,
    http_status INTEGER,
    headers     JSON,
    PRIMARY KEY (sha256, url, fetched_at)
);

CREATE TABLE snapshots (
    snapshot_id     VARCHAR PRIMARY KEY,     -- sha256 of the raw file; '<sha256>:<part>' when one file holds several
    sha256          VARCHAR NOT NULL,        -- raw file it was parsed from
    source          VARCHAR NOT NULL,        -- ice_workbook | ice_roster_archive
    list_kind       VARCHAR NOT NULL,        -- participating | pending
    as_of           DATE NOT NULL,
    as_of_basis     VARCHAR NOT NULL,        -- how as_of was decided (manifest, file name, capture time, …)
    file_name       VARCHAR NOT NULL,        -- base name of the file as ingested (earliest as_of among names)
    file_names      VARCHAR[] NOT NULL,      -- every name this content was seen under
    sheet_name      VARCHAR,
    header          VARCHAR,                 -- recognised header cells joined with '|'
    row_count       INTEGER NOT NULL,        -- data rows as ICE published them (ICE's headline count)
    status          VARCHAR NOT NULL,        -- published | quarantined
    quality_notes   VARCHAR,                 -- corrections applied and warnings, '; '-separated
    caption         VARCHAR,                 -- roster captions (archive era), as printed
    caption_count   INTEGER,
    caption_date    DATE,
    parser_version  VARCHAR NOT NULL,
    loaded_at       TIMESTAMP NOT NULL
);

CREATE TABLE snapshot_names (
    snapshot_id     VARCHAR NOT NULL,
    file_name       VARCHAR NOT NULL,        -- a name this content was ingested under
    list_kind       VARCHAR NOT NULL,        -- decided for this name
    as_of           DATE NOT NULL,           -- decided for this name; the snapshot takes the earliest
    as_of_basis     VARCHAR NOT NULL,
    notes           VARCHAR,
    PRIMARY KEY (snapshot_id, file_name)
);

CREATE TABLE snapshot_rows (
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
    raw_addendum     VARCHAR,
    PRIMARY KEY (snapshot_id, row_number, model)
);

CREATE TABLE load_errors (
    sha256      VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    error       VARCHAR NOT NULL,
    failed_at   TIMESTAMP NOT NULL
);

-- Derived tables: rebuilt from snapshot_rows inside every load transaction (see warehouse/derive/).

CREATE TABLE agencies (
    agency_id     VARCHAR PRIMARY KEY,       -- '<USPS>:<slug of the canonical name key>'
    state         VARCHAR NOT NULL,
    agency_name   VARCHAR NOT NULL,          -- spelling in the latest snapshot that lists it
    agency_type   VARCHAR,
    county        VARCHAR,                   -- latest non-empty COUNTY
    first_seen    DATE,
    last_seen     DATE,
    spellings     INTEGER                    -- distinct spellings seen
);

CREATE TABLE agency_names (
    agency_id       VARCHAR NOT NULL,
    state           VARCHAR NOT NULL,
    name_as_printed VARCHAR NOT NULL,
    name_key        VARCHAR NOT NULL,
    match_method    VARCHAR NOT NULL,        -- key | fuzzy | reviewed_alias
    first_seen      DATE,
    last_seen       DATE,
    snapshots       INTEGER
);

CREATE TABLE agreements (
    agreement_id      VARCHAR PRIMARY KEY,   -- '<agency_id>:<model>'
    agency_id         VARCHAR NOT NULL,
    state             VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,
    signed            DATE,
    moa_url           VARCHAR,
    addendum_url      VARCHAR,
    first_seen        DATE NOT NULL,
    last_seen         DATE NOT NULL,
    first_snapshot_id VARCHAR NOT NULL,
    last_snapshot_id  VARCHAR NOT NULL,
    times_listed      INTEGER NOT NULL,      -- listing periods (1 + re-listings)
    status            VARCHAR NOT NULL,      -- active | ended
    ended_on          DATE                   -- as_of of the first snapshot without it (when ended)
);

CREATE TABLE agreement_events (
    agreement_id         VARCHAR NOT NULL,
    agency_id            VARCHAR NOT NULL,
    state                VARCHAR NOT NULL,
    model                VARCHAR NOT NULL,
    event                VARCHAR NOT NULL,   -- listed | ended | relisted | model_stated | signed_changed |
                                             -- moa_changed | addendum_changed | county_changed | type_changed
    as_of                DATE NOT NULL,
    snapshot_id          VARCHAR NOT NULL,   -- the snapshot that showed it
    previous_snapshot_id VARCHAR,
    old_value            VARCHAR,
    new_value            VARCHAR
);

CREATE TABLE agreement_reviews (
    review_id            VARCHAR PRIMARY KEY, -- '<agency_id>:<model>:<first_seen_pending>'
    agency_id            VARCHAR NOT NULL,
    state                VARCHAR NOT NULL,
    model                VARCHAR NOT NULL,
    first_seen_pending   DATE NOT NULL,
    last_seen_pending    DATE NOT NULL,
    pending_snapshots    INTEGER NOT NULL,
    outcome              VARCHAR NOT NULL,    -- approved | dropped | open
    approved_on          DATE,                -- as_of of the first participating list showing it
    approval_snapshot_id VARCHAR,
    days_to_approval     INTEGER
);
