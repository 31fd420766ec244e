-- Operations: the run ledger, quality alerts, quarantine releases and what webhooks were sent.
-- Written by flows/ledger.py, flows/quality.py and flows/alerts.py in short transactions.

CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,   -- uuid4 hex
    flow              VARCHAR NOT NULL,      -- pipeline | sanctuary_lists | news | backfill | reprocess
    source            VARCHAR NOT NULL,      -- source family: ice_287g | sanctuary | news | …
    started_at        TIMESTAMP NOT NULL,    -- UTC
    finished_at       TIMESTAMP,             -- UTC; NULL while running (or when the process died)
    status            VARCHAR NOT NULL,      -- running | ok | partial | failed
    items_fetched     INTEGER,               -- items the crawl returned
    new_raw_files     INTEGER,               -- bodies the raw archive had never seen
    snapshots_loaded  INTEGER,               -- snapshots (or documents) written by the load
    errors            VARCHAR[],             -- one line each
    host              VARCHAR,
    pid               INTEGER
);

CREATE TABLE alerts (
    alert_id     VARCHAR PRIMARY KEY,        -- md5 of kind, subject and message: the same alert is raised once
    raised_at    TIMESTAMP NOT NULL,         -- UTC
    kind         VARCHAR NOT NULL,           -- quarantined | swapped_list | released | run_failed
    source       VARCHAR NOT NULL,
    subject      VARCHAR,                    -- sha256 / snapshot id / run id the alert is about
    message      VARCHAR NOT NULL
);

CREATE TABLE quarantine_releases (
    snapshot_id  VARCHAR PRIMARY KEY,        -- a reviewer let this snapshot through the quality gate
    released_at  TIMESTAMP NOT NULL,
    reason       VARCHAR
);

CREATE TABLE alerts_sent (
    event_id     VARCHAR NOT NULL,           -- alert_events.event_id
    url          VARCHAR NOT NULL,           -- webhook URL
    sent_at      TIMESTAMP NOT NULL,
    outcome      VARCHAR NOT NULL,           -- sent | baseline (existed before the webhook was configured)
    PRIMARY KEY (event_id, url)
);
