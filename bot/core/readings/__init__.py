"""Readings: files -> layout-aware text -> cleaned paragraphs -> passages -> the SQLite index.

`refresh` plans what changed, `prepare` turns one file into a record to store (no database),
`store` writes and reads the index."""
