-- A news load rebuilds the news tables from the raw archive (inside the load's transaction).
DELETE FROM article_events;
DELETE FROM article_mentions;
DELETE FROM articles;
DELETE FROM documents;
