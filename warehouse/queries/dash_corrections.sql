-- dash_corrections: known ICE errors corrected while loading: per correction note on rows
-- (snapshot_rows.notes, '; '-separated) and on lists (snapshots.quality_notes), how many rows and lists,
-- first and last list date.
WITH row_notes AS (
    SELECT trim(unnest(string_split(r.notes, '; '))) AS note, s.as_of, s.snapshot_id
    FROM snapshot_rows r JOIN snapshots s USING (snapshot_id)
    WHERE r.notes IS NOT NULL AND r.notes <> ''
), list_notes AS (
    SELECT trim(unnest(string_split(quality_notes, '; '))) AS note, as_of, snapshot_id
    FROM snapshots WHERE quality_notes IS NOT NULL AND quality_notes <> ''
)
SELECT 'row' AS level, note, count(*) AS occurrences, count(DISTINCT snapshot_id) AS lists,
       min(as_of) AS first_list, max(as_of) AS last_list
FROM row_notes WHERE note <> '' GROUP BY note
UNION ALL
SELECT 'list', note, count(*), count(DISTINCT snapshot_id), min(as_of), max(as_of)
FROM list_notes WHERE note <> '' GROUP BY note
ORDER BY level DESC, occurrences DESC, note;
