"""`tagger report` and `POST /v1/report`: counts of tagged articles over time, on DuckDB (docs/report.md)."""
