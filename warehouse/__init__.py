"""The DuckDB warehouse: schema (numbered migrations), the single-writer load, views and named queries."""
