-- dash_headline: for each list kind, the latest published list on or before $as_of (NULL = the newest)
-- with ICE's own counts (snapshot_summary), and the last list of the previous calendar month for the
-- change since last month.
WITH pub AS (
    SELECT * FROM snapshot_summary
    WHERE status = 'published' AND ($as_of IS NULL OR as_of <= CAST($as_of AS DATE))
), cur AS (
    SELECT * FROM pub QUALIFY row_number() OVER (PARTITION BY list_kind ORDER BY as_of DESC, file_name DESC) = 1
), prev AS (
    SELECT p.* FROM pub p JOIN cur c ON p.list_kind = c.list_kind AND p.as_of < date_trunc('month', c.as_of)
    QUALIFY row_number() OVER (PARTITION BY p.list_kind ORDER BY p.as_of DESC, p.file_name DESC) = 1
)
SELECT c.list_kind, c.as_of, c.file_name, c.agreements, c.agencies, c.states,
       c.jem, c.tfm, c.wso, c.unknown_model,
       p.as_of AS prev_as_of, p.agreements AS prev_agreements, p.agencies AS prev_agencies,
       p.states AS prev_states, p.jem AS prev_jem, p.tfm AS prev_tfm, p.wso AS prev_wso
FROM cur c LEFT JOIN prev p USING (list_kind)
ORDER BY c.list_kind;
