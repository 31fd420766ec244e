-- dash_map_counties: per month × county with at least one agreement active at month end held by an agency
-- in the county (county governments, municipal agencies, regional and tribal bodies; state agencies are
-- on the state map): agreements per model (distinct agency × model; `unknown`: the 2007-2008 lists, which
-- printed no model), and the agencies with their models.
-- Every month of the history has at least one row; gap months carry coverage = 'gap' and no county.
WITH ms AS (
    SELECT month, coverage, as_of FROM monthly_snapshot WHERE list_kind = 'participating'
), local_agreements AS (
    SELECT month, county_fips, agency_id, list(DISTINCT model ORDER BY model) AS models
    FROM jurisdiction_month_agreements
    WHERE county_fips IS NOT NULL AND level IN ('county', 'place', 'other', 'tribal')
    GROUP BY ALL
), per_county AS (
    SELECT l.month, l.county_fips,
           count(*) FILTER (WHERE list_contains(l.models, 'JEM')) AS jem,
           count(*) FILTER (WHERE list_contains(l.models, 'TFM')) AS tfm,
           count(*) FILTER (WHERE list_contains(l.models, 'WSO')) AS wso,
           count(*) FILTER (WHERE list_contains(l.models, 'UNKNOWN')) AS unknown,
           list({'agency': a.agency_name, 'models': l.models} ORDER BY a.agency_name) AS agencies
    FROM local_agreements l JOIN agencies a USING (agency_id)
    GROUP BY ALL
)
SELECT ms.month, p.county_fips, c.name AS county_name, c.state, p.jem, p.tfm, p.wso, p.unknown, p.agencies,
       ms.coverage, ms.as_of
FROM ms
LEFT JOIN per_county p USING (month)
LEFT JOIN jurisdictions c ON c.level = 'county' AND c.county_fips = p.county_fips
ORDER BY ms.month, p.county_fips;
