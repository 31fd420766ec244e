-- News views. Originals only: syndicated copies (duplicate_of set) never count twice.

CREATE OR REPLACE VIEW news_articles AS
SELECT * FROM articles WHERE duplicate_of IS NULL;
COMMENT ON VIEW news_articles IS 'Original news articles: syndicated copies (duplicate_of set) left out.';

-- One row per month × state × event kind: distinct original articles reporting that kind.
-- Articles with no classified event count under event_kind 'none'.
CREATE OR REPLACE VIEW monthly_news AS
SELECT
    date_trunc('month', a.published_on)::DATE AS month,
    coalesce(a.state, 'US') AS state,
    coalesce(e.event_kind, 'none') AS event_kind,
    count(DISTINCT a.article_id) AS articles
FROM news_articles a
LEFT JOIN article_events e USING (article_id)
WHERE a.published_on IS NOT NULL
GROUP BY ALL;
COMMENT ON VIEW monthly_news IS 'Per month, state and event kind: distinct original articles reporting it (kind none: no classified event).';

-- Announcements linked to ICE's later listing, with the lag.
CREATE OR REPLACE VIEW news_listing_lags AS
SELECT a.article_id, a.title, a.outlet, a.published_on, e.event_kind, e.event_date, e.agency_id,
       e.agreement_id, e.listed_on, e.lag_days, e.sentence
FROM article_events e JOIN news_articles a USING (article_id)
WHERE e.agreement_id IS NOT NULL;
COMMENT ON VIEW news_listing_lags IS 'Announcements linked to the agreement ICE listed later, with the days between the event and the listing.';
