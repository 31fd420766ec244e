-- Every first listing of an agreement on ICE's participating lists.
SELECT agreement_id, agency_id, model, as_of
FROM agreement_events
WHERE event = 'listed'
ORDER BY agency_id, as_of;
