-- Sanctuary views and macros: status of every state and county at a date, conflicts, mandate
-- compliance, agreements under a state ban, monthly counts. Tables: 020_sanctuary.sql (ours), core
-- snapshots/snapshot_rows/agencies (001). Agency geography comes from the jurisdictions area's
-- `agency_jurisdictions` view, passed by name (`agency_geo := ...`) and bound at call time, so these
-- macros are created even before that view exists; `sanctuary_agency_geography_fallback` (ICE's
-- COUNTY column matched to Census names) can stand in for it.

CREATE OR REPLACE VIEW sanctuary_agency_geography_fallback AS
SELECT a.agency_id, a.state, a.agency_name,
       CASE WHEN a.agency_type = 'State Agency' THEN 'state'
            WHEN g.county_fips IS NOT NULL AND a.agency_type = 'County' THEN 'county'
            WHEN g.county_fips IS NOT NULL THEN 'place'
            ELSE 'other' END AS level,
       s.state_fips, g.county_fips, NULL::VARCHAR AS place_name,
       'ice_county_column' AS method,
       CASE WHEN g.county_fips IS NULL THEN 0.0 ELSE 0.9 END AS confidence
FROM agencies a
LEFT JOIN policy_geography s ON s.level = 'state' AND s.state = a.state
LEFT JOIN policy_geography g
       ON g.level = 'county' AND g.state = a.state
      AND lower(regexp_replace(g.name, ' (County|Parish|Borough|city|Municipality|Census Area|City and Borough)$', ''))
        = lower(regexp_replace(trim(a.county), ' (County|Parish)$', '', 'i'))
QUALIFY row_number() OVER (PARTITION BY a.agency_id ORDER BY g.name LIKE '% County' DESC, g.county_fips) = 1;
COMMENT ON VIEW sanctuary_agency_geography_fallback IS
  'Stand-in for agency_jurisdictions (same columns): ICE''s COUNTY column matched to Census county names; place_name unknown.';

CREATE OR REPLACE VIEW sanctuary_listings_evidence AS
SELECT l.*, s.publisher, s.title, s.url, s.raw_sha256 AS first_raw_sha256, s.fetched_url AS first_fetched_url,
       ls.raw_sha256 AS last_raw_sha256
FROM sanctuary_listings l
JOIN policy_sources s ON s.source_id = l.source_id
JOIN policy_sources ls ON ls.source_id = l.last_source_id;
COMMENT ON VIEW sanctuary_listings_evidence IS
  'Each listing with the documents (raw archive sha256) that first and last printed it.';

-- Listings in effect on d: listed on or before d and not withdrawn by then.
CREATE OR REPLACE MACRO sanctuary_listed_on(d) AS TABLE
SELECT * FROM sanctuary_listings_evidence
WHERE listed_on <= d::DATE AND (withdrawn_on IS NULL OR withdrawn_on > d::DATE);
COMMENT ON MACRO TABLE sanctuary_listed_on IS 'Sanctuary listings in effect on date d, with their evidence.';

-- Is a law in force on d? From its verified effective date (a blank one was not verified: never in
-- force, whatever its signing date) until the day before its repeal, if any.
CREATE OR REPLACE MACRO law_in_force(effective, repealed, d) AS
effective IS NOT NULL AND effective <= d::DATE AND (repealed IS NULL OR repealed > d::DATE);

-- State laws in force on d.
CREATE OR REPLACE MACRO state_laws_in_force(d) AS TABLE
SELECT * FROM state_laws WHERE law_in_force(effective, repealed, d);
COMMENT ON MACRO TABLE state_laws_in_force IS 'State laws in force on date d: effective on or before d (a blank effective date never counts) and not repealed by d.';

-- Agreements active on d: the rows of the participating list the core picks for d (agreements_as_of,
-- i.e. list_as_of: the last published list dated on or before d, the later file of a day), never a
-- rule of our own. Inside a gap in the captures that is the last list before the gap:
-- `agreements_list_date` says which list it is; compare it with d.
CREATE OR REPLACE MACRO sanctuary_active_agreements(d, agency_geo := 'agency_jurisdictions') AS TABLE
WITH geo AS (
    SELECT agency_id AS geo_agency_id, level AS geo_level, state_fips AS geo_state_fips,
           county_fips AS geo_county_fips, place_name AS geo_place_name
    FROM query_table(agency_geo)
)
SELECT r.agency_id, r.state, r.agency_name, r.agency_type, r.model,
       geo.geo_level AS level, geo.geo_state_fips AS state_fips, geo.geo_county_fips AS county_fips,
       geo.geo_place_name AS place_name, r.snapshot_id, r.list_as_of AS agreements_list_date,
       s.sha256 AS raw_sha256
FROM agreements_as_of(d) r
JOIN snapshots s USING (snapshot_id)
LEFT JOIN geo ON geo.geo_agency_id = r.agency_id;
COMMENT ON MACRO TABLE sanctuary_active_agreements IS
  'Agreements on the participating list agreements_as_of(d) picks (the last published list dated on or before d), with the agency''s state/county FIPS and the list''s date (agreements_list_date) and sha256.';

-- For any date: every state and county, its active agreements by model, the federal lists naming it
-- (itself, or a city in it), and the state laws in force. Every row says which ICE list the agreement
-- counts come from (agreements_list_date): inside a gap in the captures it is the last list before
-- the gap, not a list of date d.
CREATE OR REPLACE MACRO jurisdiction_status(d, agency_geo := 'agency_jurisdictions') AS TABLE
WITH ag AS (SELECT * FROM sanctuary_active_agreements(d, agency_geo := agency_geo)),
-- the participating list the counts come from (as agreements_as_of picks it), and whether d is inside
-- a gap in the captures after it (then the counts are that list's carried over the gap, not d's)
ag_list AS (
    SELECT max(agreements_list_date) AS agreements_list_date,
           in_capture_gap('participating', max(agreements_list_date), d) AS in_gap
    FROM ag
),
listed AS (SELECT * FROM sanctuary_listed_on(d)),
laws AS (
    SELECT state_fips, list(name || ' [' || direction || ']' ORDER BY effective, name) AS laws_in_force,
           bool_or(direction = 'bans_287g') AS law_bans_287g,
           bool_or(direction = 'mandates_287g') AS law_mandates_287g
    FROM state_laws_in_force(d) GROUP BY state_fips
),
agg_county AS (
    SELECT county_fips,
           count(*) FILTER (WHERE model = 'JEM') AS agreements_jem,
           count(*) FILTER (WHERE model = 'TFM') AS agreements_tfm,
           count(*) FILTER (WHERE model = 'WSO') AS agreements_wso,
           count(*) FILTER (WHERE model = 'UNKNOWN') AS agreements_unknown,
           count(*) AS agreements_total,
           list(DISTINCT agency_name ORDER BY agency_name) AS agencies
    FROM ag WHERE county_fips IS NOT NULL GROUP BY county_fips
),
agg_state AS (
    SELECT state_fips,
           count(*) FILTER (WHERE model = 'JEM') AS agreements_jem,
           count(*) FILTER (WHERE model = 'TFM') AS agreements_tfm,
           count(*) FILTER (WHERE model = 'WSO') AS agreements_wso,
           count(*) FILTER (WHERE model = 'UNKNOWN') AS agreements_unknown,
           count(*) AS agreements_total,
           list(DISTINCT agency_name ORDER BY agency_name) FILTER (WHERE level = 'state') AS agencies
    FROM ag WHERE state_fips IS NOT NULL GROUP BY state_fips
),
lists_county AS (
    SELECT county_fips,
           list(DISTINCT publisher ORDER BY publisher) FILTER (WHERE level IN ('county', 'local')) AS lists_naming_it,
           list(DISTINCT publisher || ': ' || coalesce(nullif(name_as_printed, ''), place_name)
                ORDER BY publisher || ': ' || coalesce(nullif(name_as_printed, ''), place_name))
               FILTER (WHERE level = 'city') AS listed_places
    FROM listed WHERE county_fips IS NOT NULL GROUP BY county_fips
),
lists_state AS (
    SELECT state_fips,
           list(DISTINCT publisher ORDER BY publisher) FILTER (WHERE level = 'state') AS lists_naming_it,
           count(*) FILTER (WHERE level <> 'state') AS local_listings
    FROM listed GROUP BY state_fips
)
SELECT d::DATE AS status_date, g.level, g.state, g.state_fips, g.county_fips, g.name,
       coalesce(a.agreements_jem, 0) AS agreements_jem, coalesce(a.agreements_tfm, 0) AS agreements_tfm,
       coalesce(a.agreements_wso, 0) AS agreements_wso, coalesce(a.agreements_unknown, 0) AS agreements_unknown,
       coalesce(a.agreements_total, 0) AS agreements_total,
       coalesce(a.agreements_total, 0) > 0 AS has_agreement, a.agencies, ag_list.agreements_list_date, ag_list.in_gap,
       coalesce(lc.lists_naming_it, []) AS lists_naming_it, coalesce(lc.listed_places, []) AS listed_places,
       NULL::BIGINT AS local_listings,
       coalesce(l.laws_in_force, []) AS laws_in_force,
       coalesce(l.law_bans_287g, false) AS law_bans_287g, coalesce(l.law_mandates_287g, false) AS law_mandates_287g
FROM policy_geography g
CROSS JOIN ag_list
LEFT JOIN agg_county a ON a.county_fips = g.county_fips
LEFT JOIN lists_county lc ON lc.county_fips = g.county_fips
LEFT JOIN laws l ON l.state_fips = g.state_fips
WHERE g.level = 'county'
UNION ALL BY NAME
SELECT d::DATE AS status_date, g.level, g.state, g.state_fips, NULL::VARCHAR AS county_fips, g.name,
       coalesce(a.agreements_jem, 0) AS agreements_jem, coalesce(a.agreements_tfm, 0) AS agreements_tfm,
       coalesce(a.agreements_wso, 0) AS agreements_wso, coalesce(a.agreements_unknown, 0) AS agreements_unknown,
       coalesce(a.agreements_total, 0) AS agreements_total,
       coalesce(a.agreements_total, 0) > 0 AS has_agreement, a.agencies, ag_list.agreements_list_date, ag_list.in_gap,
       coalesce(ls.lists_naming_it, []) AS lists_naming_it, []::VARCHAR[] AS listed_places,
       coalesce(ls.local_listings, 0) AS local_listings,
       coalesce(l.laws_in_force, []) AS laws_in_force, coalesce(l.law_bans_287g, false) AS law_bans_287g,
       coalesce(l.law_mandates_287g, false) AS law_mandates_287g
FROM policy_geography g
CROSS JOIN ag_list
LEFT JOIN agg_state a ON a.state_fips = g.state_fips
LEFT JOIN lists_state ls ON ls.state_fips = g.state_fips
LEFT JOIN laws l ON l.state_fips = g.state_fips
WHERE g.level = 'state';
COMMENT ON MACRO TABLE jurisdiction_status IS
  'Every state and county on date d: active 287(g) agreements by model (UNKNOWN: the 2007-2008 lists printed none; a county counts agreements of agencies in it; a state all agreements in it) on the ICE list of agreements_list_date, with in_gap (d is inside a gap in the captures after that list: its counts carried over the gap, not what stood on d), federal sanctuary lists naming it, state laws in force.';

-- Named on a sanctuary list while holding an active agreement, on date d, with the evidence.
CREATE OR REPLACE MACRO sanctuary_conflicts(d, agency_geo := 'agency_jurisdictions') AS TABLE
SELECT d::DATE AS status_date, l.publisher, l.level AS listed_level, l.state, l.name_as_printed,
       l.state_fips, l.county_fips, l.place_name, l.listed_on, l.source_id, l.first_raw_sha256,
       a.agency_id, a.agency_name, a.level AS agency_level, a.model, a.snapshot_id,
       a.agreements_list_date, a.raw_sha256 AS agreement_raw_sha256
FROM sanctuary_listed_on(d) l
JOIN sanctuary_active_agreements(d, agency_geo := agency_geo) a
  ON (l.level = 'state' AND a.level = 'state' AND a.state_fips = l.state_fips)
  OR (l.level IN ('county', 'local') AND a.level = 'county' AND a.county_fips = l.county_fips)
  OR (l.level = 'city' AND a.level = 'place' AND a.county_fips = l.county_fips
      AND lower(a.place_name) = lower(l.place_name));
COMMENT ON MACRO TABLE sanctuary_conflicts IS
  'Jurisdictions named on a federal sanctuary list on date d while their own agency (state agency, county agency, city agency) held an active 287(g) agreement.';

-- The kind of county agency a 287(g) partner is, by its name, as state mandates name whom they bind
-- (state_laws.binds): 'sheriff' (a sheriff's office or department), 'county_corrections' (a county
-- jail, detention or corrections agency); NULL for any other (constables, attorneys, county police).
CREATE OR REPLACE MACRO mandate_agency_kind(agency_name) AS
CASE WHEN regexp_matches(lower(agency_name), '\bsheriff') THEN 'sheriff'
     WHEN regexp_matches(lower(agency_name), '\b(corrections?|correctional|detention|jail)\b') THEN 'county_corrections'
END;

-- Counties of states whose law mandates 287(g), on date d: does an agency the law binds (state_laws.binds:
-- Texas SB 8 the sheriff; Florida the sheriff or the county's corrections agency) hold one? Other county
-- agencies' agreements are listed in agencies_not_bound and never make a county compliant. A law that
-- must be met "by" its deadline is still 'before deadline' on the deadline day (days_to_deadline 0)
-- and 'non-compliant' from the day after.
-- Texas SB 8 binds sheriffs who run or contract for a jail; there is no offline jail roster, so every
-- Texas county sheriff is treated as running a jail (jail_basis says so).
CREATE OR REPLACE MACRO mandate_compliance(d, agency_geo := 'agency_jurisdictions') AS TABLE
WITH mandates AS (
    SELECT * FROM state_laws
    WHERE direction = 'mandates_287g' AND coalesce(signed, effective) <= d::DATE
      AND (repealed IS NULL OR repealed > d::DATE)
    QUALIFY row_number() OVER (PARTITION BY state ORDER BY coalesce(effective, signed) DESC) = 1
),
active AS (SELECT * FROM sanctuary_active_agreements(d, agency_geo := agency_geo)),
county_ag AS (
    SELECT a.*, coalesce(list_contains(string_split(m.binds, ';'), mandate_agency_kind(a.agency_name)), false) AS bound
    FROM active a
    JOIN mandates m ON m.state = a.state
    WHERE a.level = 'county'
),
ag AS (
    SELECT county_fips,
           list(DISTINCT model ORDER BY model) FILTER (WHERE bound) AS models,
           list(DISTINCT agency_name ORDER BY agency_name) FILTER (WHERE bound) AS agencies,
           list(DISTINCT agency_name ORDER BY agency_name) FILTER (WHERE NOT bound) AS agencies_not_bound,
           any_value(snapshot_id) AS snapshot_id
    FROM county_ag GROUP BY county_fips
),
ag_list AS (SELECT max(agreements_list_date) AS agreements_list_date FROM active)
SELECT d::DATE AS status_date, g.state, g.county_fips, g.name AS county, m.name AS law, m.effective,
       m.compliance_deadline, m.source_url,
       CASE WHEN m.effective IS NULL OR m.effective > d::DATE THEN 'enacted, not yet in force' ELSE 'in force' END AS law_status,
       CASE WHEN m.state = 'TX' THEN 'assumed: every sheriff runs or contracts for a jail (no jail roster offline)'
            ELSE 'county detention facility operator (the sheriff or county corrections)' END AS jail_basis,
       coalesce(len(ag.models), 0) > 0 AS has_agreement, ag.models, ag.agencies, ag.agencies_not_bound,
       ag.snapshot_id, ag_list.agreements_list_date,
       CASE WHEN coalesce(len(ag.models), 0) > 0 THEN 'compliant'
            WHEN m.compliance_deadline IS NOT NULL AND d::DATE <= m.compliance_deadline THEN 'before deadline'
            WHEN m.effective IS NULL OR m.effective > d::DATE THEN 'before effective date'
            ELSE 'non-compliant' END AS compliance,
       CASE WHEN m.compliance_deadline IS NOT NULL THEN m.compliance_deadline - d::DATE END AS days_to_deadline
FROM mandates m
CROSS JOIN ag_list
JOIN policy_geography g ON g.level = 'county' AND g.state = m.state
LEFT JOIN ag ON ag.county_fips = g.county_fips;
COMMENT ON MACRO TABLE mandate_compliance IS
  'Each county of a state whose enacted law mandates 287(g) (Florida, Texas SB 8): whether an agency the law binds (state_laws.binds: sheriff, county corrections) holds an active agreement on date d, against the law''s deadline; other county agencies'' agreements in agencies_not_bound.';

-- Active agreements on date d in a state whose law in force bans them.
CREATE OR REPLACE MACRO banned_agreements(d, agency_geo := 'agency_jurisdictions') AS TABLE
SELECT d::DATE AS status_date, a.*, l.name AS law, l.effective AS law_effective, l.source_url AS law_source_url
FROM sanctuary_active_agreements(d, agency_geo := agency_geo) a
JOIN state_laws_in_force(d) l ON l.state = a.state AND l.direction = 'bans_287g';
COMMENT ON MACRO TABLE banned_agreements IS
  'Agreements active on date d in a state whose law in force bans 287(g) agreements, with the law.';

-- Month by state: listings in effect at month end, new listings and withdrawals in the month, laws in force.
CREATE OR REPLACE VIEW monthly_sanctuary AS
WITH bounds AS (
    SELECT date_trunc('month', least(
               (SELECT min(listed_on) FROM sanctuary_listings),
               (SELECT min(coalesce(effective, signed)) FROM state_laws))) AS first_month,
           date_trunc('month', greatest(current_date,
               (SELECT max(coalesce(withdrawn_on, last_seen_on)) FROM sanctuary_listings))) AS last_month
),
months AS (
    SELECT unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM bounds WHERE first_month IS NOT NULL
),
grid AS (
    SELECT m.month, (m.month + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE AS month_end, g.state, g.state_fips
    FROM months m CROSS JOIN (SELECT DISTINCT state, state_fips FROM policy_geography WHERE level = 'state') g
)
SELECT grid.month, grid.state,
       (SELECT count(*) FROM sanctuary_listings l WHERE l.state = grid.state AND l.listed_on <= grid.month_end
          AND (l.withdrawn_on IS NULL OR l.withdrawn_on > grid.month_end)) AS listings,
       (SELECT count(*) FROM sanctuary_listings l WHERE l.state = grid.state
          AND date_trunc('month', l.listed_on) = grid.month) AS new_listings,
       (SELECT count(*) FROM sanctuary_listings l WHERE l.state = grid.state
          AND date_trunc('month', l.withdrawn_on) = grid.month) AS withdrawals,
       (SELECT count(*) FROM state_laws s WHERE s.state = grid.state
          AND law_in_force(s.effective, s.repealed, grid.month_end)) AS laws_in_force
FROM grid;
COMMENT ON VIEW monthly_sanctuary IS
  'Per month and state: federal sanctuary listings in effect at month end, listed and withdrawn in the month, state laws in force at month end.';
