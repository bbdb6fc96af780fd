"""Readings: files -> layout-aware text -> cleaned paragraphs -> passages -> the SQLite index."""
