-- News and announcements: archived documents, deduplicated articles, mentions, classified events.
-- Every article points at the raw file (sha256) it was extracted from; every event at its article.

CREATE TABLE IF NOT EXISTS documents (
    sha256        VARCHAR NOT NULL,          -- raw file digest (data/raw/objects/..)
    url           VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,          -- spider name, or news_sample for the bundled sample
    fetched_at    TIMESTAMP,
    kind          VARCHAR NOT NULL,          -- article | listing | feed | api | unrelated | other
    status        VARCHAR NOT NULL,          -- parsed | skipped | duplicate | failed
    reason        VARCHAR,                   -- one line, when skipped or failed
    article_id    VARCHAR,                   -- the article it yielded (feed documents: NULL)
    PRIMARY KEY (sha256, url)
);

CREATE TABLE IF NOT EXISTS articles (
    article_id     VARCHAR PRIMARY KEY,      -- first 16 hex of sha256(canonical_url)
    canonical_url  VARCHAR NOT NULL UNIQUE,
    url            VARCHAR NOT NULL,         -- URL as fetched
    title          VARCHAR NOT NULL,
    published_on   DATE,
    date_basis     VARCHAR NOT NULL,         -- meta | time_tag | ice_header | printed | url_path | extractor | feed | none
    author         VARCHAR,
    outlet         VARCHAR,
    state          VARCHAR,                  -- USPS code of the dateline, outlet or source row
    text           VARCHAR NOT NULL,
    headline_only  BOOLEAN NOT NULL,         -- from a feed entry (title/summary), no page text
    sha256         VARCHAR NOT NULL,         -- raw file it was extracted from
    source         VARCHAR NOT NULL,
    duplicate_of   VARCHAR                   -- the original article when this one is a copy (syndication)
);

CREATE TABLE IF NOT EXISTS article_mentions (
    article_id    VARCHAR NOT NULL,
    position      INTEGER NOT NULL,          -- character offset in title + '\n' + text
    mention       VARCHAR NOT NULL,          -- as printed
    mention_kind  VARCHAR NOT NULL,          -- agency | county | place | state_agency
    agency_name   VARCHAR,                   -- normalised agency name ("Smith County Sheriff's Office")
    state         VARCHAR,
    level         VARCHAR,                   -- county | place | state (from the jurisdictions resolver)
    county_fips   VARCHAR,
    place         VARCHAR,
    agency_id     VARCHAR,                   -- core agencies.agency_id when matched
    resolved_by   VARCHAR,                   -- jurisdictions_resolver | fallback
    PRIMARY KEY (article_id, position)
);

CREATE TABLE IF NOT EXISTS article_events (
    article_id    VARCHAR NOT NULL,
    event_kind    VARCHAR NOT NULL,
    confidence    DOUBLE NOT NULL,
    sentence      VARCHAR NOT NULL,
    event_date    DATE,                      -- resolved from the sentence ("signed Tuesday"), else NULL
    agency_id     VARCHAR,
    agreement_id  VARCHAR,                   -- core agreements.agreement_id when an ICE listing matches
    listed_on     DATE,                      -- as_of of the matching agreement_events 'listed' row
    lag_days      INTEGER,                   -- listed_on - published_on (announcement → ICE listing)
    PRIMARY KEY (article_id, event_kind)
);
