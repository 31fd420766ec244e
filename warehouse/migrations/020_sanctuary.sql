-- Sanctuary policies: the documents (federal lists, state laws), every printed entry of each list,
-- the listings derived from them (with listing and withdrawal dates), and state laws.
-- Every row traces back to a raw file (raw_sha256) and a position in it.

CREATE TABLE policy_sources (
    source_id     VARCHAR PRIMARY KEY,   -- '<publisher>:<sha256[:16]>' for a list copy; '<USPS>:<law_id>' for a law
    list_id       VARCHAR,               -- dhs_sanctuary_jurisdictions | doj_sanctuary_jurisdictions | NULL for a law
    kind          VARCHAR NOT NULL,      -- list | law
    publisher     VARCHAR NOT NULL,      -- DHS | DOJ | the state's USPS code for a law
    title         VARCHAR NOT NULL,
    published_on  DATE,                  -- when the publisher put it out (a law: signed)
    as_of         DATE,                  -- when this copy was seen (archive capture date; else published_on)
    url           VARCHAR,               -- the publisher's address
    fetched_url   VARCHAR,               -- where these bytes came from (archive capture, bundled file)
    raw_sha256    VARCHAR NOT NULL,      -- the raw archive object (for a law: the reviewed CSV it came from)
    entry_count   INTEGER,               -- entries printed (a list)
    note          VARCHAR,
    loaded_at     TIMESTAMP NOT NULL
);

CREATE TABLE sanctuary_entries (
    source_id        VARCHAR NOT NULL,   -- the copy of the list that printed it
    position         INTEGER NOT NULL,   -- 1-based order on the page
    state            VARCHAR NOT NULL,   -- USPS
    level            VARCHAR NOT NULL,   -- state | county | city | local (after label corrections)
    name_as_printed  VARCHAR NOT NULL,   -- '' when the page printed no name (DC)
    section_label    VARCHAR,            -- heading printed above it
    basis            VARCHAR,
    entry_key        VARCHAR NOT NULL,   -- '<USPS>|<level>|<folded name>': identity within a list
    duplicate_of     INTEGER,            -- position of the first printing when printed twice
    note             VARCHAR,
    PRIMARY KEY (source_id, position)
);

CREATE TABLE sanctuary_listings (
    list_id             VARCHAR NOT NULL,
    entry_key           VARCHAR NOT NULL,
    source_id           VARCHAR NOT NULL,  -- first copy that printed it
    last_source_id      VARCHAR NOT NULL,  -- latest copy that printed it
    level               VARCHAR NOT NULL,
    state               VARCHAR NOT NULL,
    name_as_printed     VARCHAR NOT NULL,
    state_fips          VARCHAR,
    county_fips         VARCHAR,           -- a city carries the county it lies in
    place_name          VARCHAR,
    basis               VARCHAR,
    listed_on           DATE NOT NULL,     -- the list's publication date, or the first copy showing it
    last_seen_on        DATE NOT NULL,
    withdrawn_on        DATE,              -- first later copy of the list without it
    withdrawn_source_id VARCHAR,
    method              VARCHAR NOT NULL,  -- how it was resolved (see flows/sanctuary/resolve.py)
    confidence          DOUBLE,
    unresolved_reason   VARCHAR,           -- set when not resolved to FIPS
    note                VARCHAR,
    PRIMARY KEY (list_id, entry_key)
);

CREATE TABLE state_laws (
    law_id               VARCHAR PRIMARY KEY,  -- '<USPS>:<slug of name>'
    source_id            VARCHAR NOT NULL,     -- policy_sources row of the law
    state                VARCHAR NOT NULL,     -- USPS
    state_fips           VARCHAR NOT NULL,
    name                 VARCHAR NOT NULL,
    citation             VARCHAR,
    signed               DATE,
    effective            DATE,
    compliance_deadline  DATE,
    direction            VARCHAR NOT NULL,     -- bans_287g | limits_cooperation | requires_cooperation | mandates_287g
    repealed             DATE,
    source_url           VARCHAR NOT NULL,
    notes                VARCHAR
);

-- Every state and county (Census 2020 vintage, from addfips), the universe of jurisdiction_status.
CREATE TABLE policy_geography (
    state_fips   VARCHAR NOT NULL,
    county_fips  VARCHAR,                -- NULL on the state row
    state        VARCHAR NOT NULL,       -- USPS
    name         VARCHAR NOT NULL,
    level        VARCHAR NOT NULL        -- state | county
);
