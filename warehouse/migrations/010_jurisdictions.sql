-- Jurisdictions: reference geography (states, territories, counties; places an agency needs) and the
-- resolution of every agency to it. Filled by flows/jurisdictions (geography.load_reference and the
-- derive step), never by hand.

CREATE TABLE jurisdictions (
    jurisdiction_id  VARCHAR PRIMARY KEY,   -- 'state:06', 'county:06037', 'place:12095:apopka'
    level            VARCHAR NOT NULL,      -- state | territory | county | place
    state            VARCHAR NOT NULL,      -- USPS code
    state_fips       VARCHAR NOT NULL,      -- 2 digits
    county_fips      VARCHAR,               -- 5 digits (counties; for places the county they lie in)
    name             VARCHAR NOT NULL,      -- 'Acadia Parish', 'Virginia Beach city', 'Florida'
    short_name       VARCHAR,               -- 'Acadia', 'Virginia Beach'
    lsad             VARCHAR,               -- County | Parish | Borough | city | Census Area | Municipio | …
    land_area_m2     BIGINT,                -- Census ALAND (2016 cartographic boundaries)
    water_area_m2    BIGINT,
    source           VARCHAR NOT NULL       -- reference key (package versions) or 'agency_resolution'
);

CREATE TABLE agency_jurisdiction_facts (
    agency_id     VARCHAR PRIMARY KEY,
    state         VARCHAR,                  -- USPS code of the agency
    agency_name   VARCHAR,
    level         VARCHAR NOT NULL,         -- state | territory | county | place | tribal | other
    state_fips    VARCHAR,
    county_fips   VARCHAR,                  -- the county served (for a municipal agency: the county it lies in)
    county_name   VARCHAR,
    place_name    VARCHAR,
    method        VARCHAR,                  -- override | ice_county | ice_county_history | name_pattern | … (NULL: unresolved)
    confidence    DOUBLE NOT NULL,          -- 0 … 1
    resolved      BOOLEAN NOT NULL,         -- state/territory bodies, or a county found
    reason        VARCHAR,                  -- why unresolved
    notes         VARCHAR                   -- evidence and conflicts, '; '-separated
);
