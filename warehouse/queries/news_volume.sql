-- Dashboard panel: news volume by month (original articles, any event) and by event kind.
SELECT month, event_kind, sum(articles) AS articles
FROM monthly_news
GROUP BY ALL
ORDER BY month, event_kind;
