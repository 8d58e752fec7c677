"""Disclosure text → SQLite: parse, check, build."""

# Bumped whenever the schema or the parsed content changes, so an older data/budget.db is rebuilt on first use.
SCHEMA_VERSION = 9
