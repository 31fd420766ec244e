-- Dashboard panel: the latest classified events in the news, newest first.
SELECT a.published_on, a.state, e.event_kind, round(e.confidence, 2) AS confidence, a.title, a.outlet,
       e.sentence, e.agency_id, e.listed_on, e.lag_days, a.url
FROM article_events e
JOIN news_articles a USING (article_id)
ORDER BY a.published_on DESC NULLS LAST, e.confidence DESC
LIMIT 50;
