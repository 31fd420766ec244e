-- (Re)build the BM25 index over article titles and text (schema fts_main_articles).
PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', stemmer = 'porter', stopwords = 'english',
                        overwrite = 1);
