-- Whom a state's 287(g) mandate binds, as the law words it (flows/reference/state_laws.csv `binds`):
-- 'sheriff' and/or 'county_corrections', ';'-separated; NULL for a law that mandates nothing.
-- mandate_compliance counts only the agreements of those agencies (Texas SB 8 binds sheriffs, so a
-- constable's agreement does not make a Texas county compliant).
ALTER TABLE state_laws ADD COLUMN binds VARCHAR;
