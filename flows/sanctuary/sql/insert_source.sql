-- One document (a copy of a list, or a law), written once: a re-load of the same bytes changes nothing.
INSERT INTO policy_sources (source_id, list_id, kind, publisher, title, published_on, as_of, url, fetched_url,
                            raw_sha256, entry_count, note, loaded_at)
VALUES ($source_id, $list_id, $kind, $publisher, $title, $published_on, $as_of, $url, $fetched_url,
        $raw_sha256, $entry_count, $note, now())
ON CONFLICT (source_id) DO UPDATE SET
    title = excluded.title, published_on = excluded.published_on, as_of = excluded.as_of, url = excluded.url,
    raw_sha256 = excluded.raw_sha256, entry_count = excluded.entry_count, note = excluded.note
