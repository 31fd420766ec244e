-- snapshot_rows without its primary-key index. Maintaining the index cost about a tenth of a large
-- backfill (inserting every row into it, and writing it out at each commit), and nothing looks rows up
-- by key: readers scan and join. A row is still unique on (snapshot_id, row_number, model), by
-- construction: a load replaces a snapshot's rows whole, and warehouse/load.py refuses a batch that
-- repeats a key before writing anything. Columns, types and NOT NULLs stay as 001 declares them.

CREATE TABLE snapshot_rows_unindexed AS
SELECT * FROM snapshot_rows ORDER BY snapshot_id, row_number, model;
ALTER TABLE snapshot_rows_unindexed ALTER COLUMN snapshot_id SET NOT NULL;
ALTER TABLE snapshot_rows_unindexed ALTER COLUMN row_number SET NOT NULL;
ALTER TABLE snapshot_rows_unindexed ALTER COLUMN model SET NOT NULL;

DROP TABLE snapshot_rows;
ALTER TABLE snapshot_rows_unindexed RENAME TO snapshot_rows;
