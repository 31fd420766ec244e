-- The signing that began each listing period. agreements.signed is the latest SIGNED date ICE printed,
-- and ICE re-prints SIGNED when a continuing agreement is re-signed (the 2013, 2016 and 2019-2020
-- renewals), so counting agreements.signed per month moves old signings to the renewal month. Each
-- period's own signing is kept here (warehouse/derive/020_agreements.sql says how it is chosen);
-- monthly_agreements.signed_in_month counts it.
ALTER TABLE agreement_periods ADD COLUMN signed DATE;
