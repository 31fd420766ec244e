-- Operations views: change events for feeds and webhooks, freshness per source for `tracker status`.

CREATE OR REPLACE VIEW alert_events AS
WITH agreement AS (
    SELECT 'agreement' AS kind, e.event, e.state, e.as_of AS happened_on,
           coalesce(a.agency_name, e.agency_id) || ' (' || e.state || '): '
             || CASE e.event WHEN 'model_stated'
                             -- one change, not an ending and a new listing: ICE began printing the model
                             THEN 'agreement listed without a model until now, listed as ' || e.new_value
                             ELSE e.model || ' agreement '
                                  || CASE e.event WHEN 'listed' THEN 'listed'
                                                  WHEN 'ended' THEN 'no longer listed'
                                                  WHEN 'relisted' THEN 'listed again'
                                                  ELSE replace(e.event, '_', ' ') END END AS title,
           CASE WHEN e.event = 'model_stated' THEN 'model: not stated -> ' || e.new_value
                WHEN e.old_value IS NOT NULL OR e.new_value IS NOT NULL
                THEN replace(e.event, '_changed', '') || ': ' || coalesce(e.old_value, '(none)') || ' -> '
                     || coalesce(e.new_value, '(none)') END AS detail,
           ag.moa_url AS link, e.snapshot_id,
           -- a model_stated event's id leaves its values out: they were added after feeds and webhooks
           -- had its id, and the event is one per agreement and date anyway
           concat_ws('|', 'agreement', e.agreement_id, e.event, CAST(e.as_of AS VARCHAR),
                     CASE WHEN e.event <> 'model_stated' THEN e.old_value END,
                     CASE WHEN e.event <> 'model_stated' THEN e.new_value END) AS natural_key
    FROM agreement_events e
    LEFT JOIN agencies a USING (agency_id)
    LEFT JOIN agreements ag USING (agreement_id)
), pending AS (
    SELECT 'pending' AS kind, 'application_listed' AS event, r.state, r.first_seen_pending AS happened_on,
           coalesce(a.agency_name, r.agency_id) || ' (' || r.state || '): ' || r.model
             || ' application appears on ICE''s pending list' AS title,
           NULL AS detail, NULL AS link, NULL AS snapshot_id,
           concat_ws('|', 'pending', r.review_id) AS natural_key
    FROM agreement_reviews r LEFT JOIN agencies a USING (agency_id)
), sanctuary_listed AS (
    SELECT 'sanctuary' AS kind, 'listed' AS event, l.state, l.listed_on AS happened_on,
           coalesce(nullif(l.name_as_printed, ''), l.state) || ' (' || l.state || ', ' || l.level || '): on the '
             || l.list_id || ' list' AS title,
           l.basis AS detail, NULL AS link, l.source_id AS snapshot_id,
           concat_ws('|', 'sanctuary', l.list_id, l.entry_key, 'listed') AS natural_key
    FROM sanctuary_listings l
), sanctuary_withdrawn AS (
    SELECT 'sanctuary' AS kind, 'withdrawn' AS event, l.state, l.withdrawn_on AS happened_on,
           coalesce(nullif(l.name_as_printed, ''), l.state) || ' (' || l.state || ', ' || l.level || '): no longer on the '
             || l.list_id || ' list' AS title,
           NULL AS detail, NULL AS link, l.withdrawn_source_id AS snapshot_id,
           concat_ws('|', 'sanctuary', l.list_id, l.entry_key, 'withdrawn', CAST(l.withdrawn_on AS VARCHAR)) AS natural_key
    FROM sanctuary_listings l WHERE l.withdrawn_on IS NOT NULL
), quality AS (
    SELECT 'alert' AS kind, al.kind AS event, NULL AS state, CAST(al.raised_at AS DATE) AS happened_on,
           'Data alert (' || replace(al.kind, '_', ' ') || '): ' || al.source AS title,
           al.message AS detail, NULL AS link, al.subject AS snapshot_id,
           concat_ws('|', 'alert', al.alert_id) AS natural_key
    FROM alerts al
), everything AS (
    SELECT * FROM agreement UNION ALL SELECT * FROM pending UNION ALL SELECT * FROM sanctuary_listed
    UNION ALL SELECT * FROM sanctuary_withdrawn UNION ALL SELECT * FROM quality
)
SELECT md5(natural_key) AS event_id, kind, event, state, happened_on, title, detail, link, snapshot_id
FROM everything;
COMMENT ON VIEW alert_events IS 'One row per change worth telling people about: agreement events, new pending applications, sanctuary listings and withdrawals, data-quality alerts. event_id is stable across rebuilds (md5 of the natural key), so feeds and webhooks can tell what is new.';

CREATE OR REPLACE VIEW source_freshness AS
WITH r AS (
    SELECT source,
           max(started_at) AS last_run_at,
           arg_max(status, started_at) AS last_status,
           max(finished_at) FILTER (WHERE status IN ('ok', 'partial')) AS last_success_at,
           max(finished_at) FILTER (WHERE status = 'failed') AS last_failure_at,
           count(*) FILTER (WHERE status = 'failed') AS failed_runs,
           count(*) AS runs
    FROM runs GROUP BY source
), f AS (
    SELECT CASE WHEN source LIKE 'ice_287g%' THEN 'ice_287g' ELSE source END AS source,
           max(fetched_at) AS last_fetch_at, count(DISTINCT sha256) AS raw_files
    FROM raw_file_sightings GROUP BY 1
)
SELECT coalesce(r.source, f.source) AS source, r.last_status, r.last_run_at, r.last_success_at, f.last_fetch_at,
       r.last_failure_at, coalesce(r.runs, 0) AS runs, coalesce(r.failed_runs, 0) AS failed_runs,
       coalesce(f.raw_files, 0) AS raw_files
FROM r FULL OUTER JOIN f USING (source);
COMMENT ON VIEW source_freshness IS 'Per source: last run and its status, last successful run, last fetch seen in the raw archive, last failure.';
