-- dash_agreements: every agreement (agency × model) with its agency, jurisdiction as ICE printed it,
-- signed date, first and last list showing it, status and MOA links.
SELECT g.agreement_id, a.agency_name, g.state, a.county, a.agency_type, g.model, g.signed,
       g.first_seen, g.last_seen, g.status, g.ended_on, g.times_listed, g.moa_url, g.addendum_url,
       g.agency_id
FROM agreements g JOIN agencies a USING (agency_id)
ORDER BY g.state, a.agency_name, g.model;
