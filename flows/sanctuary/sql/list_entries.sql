-- Every printed entry of every copy of one list, with the copy's date, oldest copy first.
SELECT s.source_id, s.as_of, e.position, e.state, e.level, e.name_as_printed, e.basis, e.entry_key, e.note
FROM sanctuary_entries e
JOIN policy_sources s USING (source_id)
WHERE s.list_id = $list_id AND e.duplicate_of IS NULL
ORDER BY s.as_of, s.source_id, e.position
