-- A sanctuary listing that cannot be matched to FIPS has no resolution method: `method` becomes
-- nullable (NULL = unresolved, with `unresolved_reason` saying why), as in the jurisdictions area's
-- agency_jurisdiction_facts. Before this, one unmatched entry broke the NOT NULL and rolled back the
-- whole sanctuary load.
ALTER TABLE sanctuary_listings ALTER COLUMN method DROP NOT NULL;
