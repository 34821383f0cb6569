"""Infrastructure every concern stands on: settings, the DuckDB file and its schema, messages in two
languages, number and date formats, the pseudonymisation key."""
