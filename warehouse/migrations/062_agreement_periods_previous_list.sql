-- The list before each listing period: the participating list just before listed_from, which did not
-- show the agreement (NULL when the period starts at the first list on file). With last_listed and
-- ended_on it bounds what the lists do not tell: the period began some time after previous_list (on or
-- before listed_from) and ended some time after last_listed (on or before ended_on). Across a capture
-- gap (2017-08-01 -> 2021-01-13) those windows are years long.
ALTER TABLE agreement_periods ADD COLUMN previous_list DATE;
