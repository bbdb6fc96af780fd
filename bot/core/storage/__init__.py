"""The SQLite file: one writer thread, read connections, and the schema's versioned migrations."""
