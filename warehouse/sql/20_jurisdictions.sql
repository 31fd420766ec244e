-- Jurisdiction views: agencies resolved to states and counties, and month-by-month status of every
-- county and state. Months and "active at month end" come from the core view monthly_snapshot (the
-- last published participating list of each month; coverage = 'gap' when no list was captured).
-- Counts are distinct agreements (agency × model), so ICE's duplicate rows count once.

CREATE OR REPLACE VIEW agency_jurisdictions AS
SELECT agency_id, state, agency_name, level, state_fips, county_fips, place_name, method, confidence,
       county_name, resolved, reason, notes
FROM agency_jurisdiction_facts;
COMMENT ON VIEW agency_jurisdictions IS 'One row per agency: the jurisdiction it serves (level state|territory|county|place|tribal|other), state and county FIPS (for municipal agencies the county they lie in), place, and the method and confidence of the resolution; reason says why when unresolved.';

CREATE OR REPLACE VIEW jurisdiction_month_agreements AS
WITH ms AS (
    SELECT month, snapshot_id FROM monthly_snapshot
    WHERE list_kind = 'participating' AND coverage = 'observed'
)
SELECT DISTINCT ms.month, r.agency_id, r.model, j.level, r.state, j.state_fips, j.county_fips
FROM ms
JOIN snapshot_rows r USING (snapshot_id)
LEFT JOIN agency_jurisdiction_facts j USING (agency_id)
-- UNKNOWN: the 2007-2008 lists printed no model; their agencies held agreements all the same
WHERE r.model IN ('JEM', 'TFM', 'WSO', 'UNKNOWN');
COMMENT ON VIEW jurisdiction_month_agreements IS 'Agreements (agency × model) active at the end of each observed month, with the agency''s resolved level, state and county; model UNKNOWN for the 2007-2008 lists, which printed none.';

CREATE OR REPLACE VIEW county_month_status AS
WITH months AS (
    SELECT month, coverage, snapshot_id FROM monthly_snapshot WHERE list_kind = 'participating'
), counties AS (
    SELECT county_fips, state, name AS county_name FROM jurisdictions WHERE level = 'county'
), local AS (
    -- Agencies that sit in a county: county governments, municipal agencies, regional and tribal
    -- bodies with a seat. State agencies are counted in state_month_status, not in every county.
    SELECT month, county_fips,
           count(*) FILTER (WHERE model = 'JEM') AS jem,
           count(*) FILTER (WHERE model = 'TFM') AS tfm,
           count(*) FILTER (WHERE model = 'WSO') AS wso,
           count(*) FILTER (WHERE model = 'UNKNOWN') AS unknown,
           count(*) FILTER (WHERE level = 'county') AS by_county_agency,
           count(DISTINCT agency_id) AS agencies
    FROM jurisdiction_month_agreements
    WHERE county_fips IS NOT NULL AND level IN ('county', 'place', 'other', 'tribal')
    GROUP BY ALL
)
SELECT m.month, c.county_fips, c.state,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(l.jem, 0) END AS agreements_jem,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(l.tfm, 0) END AS agreements_tfm,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(l.wso, 0) END AS agreements_wso,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(l.unknown, 0) END AS agreements_unknown,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(l.agencies, 0) > 0 END AS any_active,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(l.by_county_agency, 0) > 0 END AS county_agency_active,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(l.agencies, 0) END AS agencies,
       c.county_name, m.coverage, m.snapshot_id
FROM months m
CROSS JOIN counties c
LEFT JOIN local l ON l.month = m.month AND l.county_fips = c.county_fips;
COMMENT ON VIEW county_month_status IS 'Every county (and equivalent) × every month of the history: agreements active at month end held by agencies in the county, per model (agreements_unknown: the 2007-2008 lists, which printed no model; zeros included; NULL in months with no captured list, coverage = gap); any_active; county_agency_active = one held by the county''s own government (sheriff, jail, county police).';

CREATE OR REPLACE VIEW state_month_status AS
WITH months AS (
    SELECT month, coverage, snapshot_id FROM monthly_snapshot WHERE list_kind = 'participating'
), states AS (
    SELECT state, state_fips, name AS state_name, level FROM jurisdictions WHERE level IN ('state', 'territory')
), agg AS (
    SELECT month, state,
           count(*) FILTER (WHERE model = 'JEM') AS jem,
           count(*) FILTER (WHERE model = 'TFM') AS tfm,
           count(*) FILTER (WHERE model = 'WSO') AS wso,
           count(*) FILTER (WHERE model = 'UNKNOWN') AS unknown,
           count(*) FILTER (WHERE level IN ('state', 'territory')) AS by_state_agency,
           count(DISTINCT agency_id) AS agencies
    FROM jurisdiction_month_agreements
    GROUP BY ALL
)
SELECT m.month, s.state, s.state_fips,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(a.jem, 0) END AS agreements_jem,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(a.tfm, 0) END AS agreements_tfm,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(a.wso, 0) END AS agreements_wso,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(a.unknown, 0) END AS agreements_unknown,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(a.agencies, 0) > 0 END AS any_active,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(a.by_state_agency, 0) > 0 END AS state_agency_active,
       CASE WHEN m.coverage = 'gap' THEN NULL ELSE coalesce(a.agencies, 0) END AS agencies,
       s.state_name, s.level, m.coverage, m.snapshot_id
FROM months m
CROSS JOIN states s
LEFT JOIN agg a ON a.month = m.month AND a.state = s.state;
COMMENT ON VIEW state_month_status IS 'Every state, DC and territory × every month: agreements active at month end held by any agency of the state, per model (agreements_unknown: the 2007-2008 lists, which printed no model; zeros included; NULL in gap months); any_active; state_agency_active = one held by a state (or territory) agency.';

CREATE OR REPLACE VIEW coverage_month AS
SELECT month, state,
       count(*) AS counties,
       CASE WHEN any_value(coverage) = 'gap' THEN NULL ELSE count(*) FILTER (WHERE any_active) END AS counties_with_agreement,
       CASE WHEN any_value(coverage) = 'gap' THEN NULL
            ELSE round(count(*) FILTER (WHERE any_active) / count(*), 4) END AS share,
       CASE WHEN any_value(coverage) = 'gap' THEN NULL
            ELSE count(*) FILTER (WHERE county_agency_active) END AS counties_with_county_agency_agreement,
       any_value(coverage) AS coverage
FROM county_month_status
GROUP BY month, state;
COMMENT ON VIEW coverage_month IS 'Per state and month: counties, counties with at least one agreement active at month end (held by an agency in the county), their share, and counties whose own government (sheriff, jail) holds one; NULL in gap months.';
