-- Full-text search (BM25) over original articles; parameters: query text, result limit, and 1 when
-- every word must appear (0: any of them).
SELECT a.article_id, a.published_on, a.outlet, a.title, a.url, round(s.score, 3) AS score
FROM (
    SELECT article_id, fts_main_articles.match_bm25(article_id, $1, conjunctive := $3) AS score FROM articles
) s
JOIN articles a USING (article_id)
WHERE s.score IS NOT NULL AND a.duplicate_of IS NULL
ORDER BY s.score DESC, a.published_on DESC
LIMIT $2;
