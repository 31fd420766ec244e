-- dash_sources: per source, the files fetched, the first and the last fetch, and the last fetch whose
-- file loaded (a successful fetch), from raw_files and raw_file_sightings.
SELECT s.source,
       count(DISTINCT s.sha256) AS files,
       count(*) AS sightings,
       min(s.fetched_at) AS first_fetch,
       max(s.fetched_at) AS last_fetch,
       max(s.fetched_at) FILTER (WHERE f.parse_status = 'loaded') AS last_successful_fetch,
       count(DISTINCT s.sha256) FILTER (WHERE f.parse_status <> 'loaded') AS files_not_loaded
FROM raw_file_sightings s LEFT JOIN raw_files f USING (sha256)
GROUP BY s.source
ORDER BY s.source;
