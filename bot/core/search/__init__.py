"""Ranked retrieval over the index: `ask` (answers), `quote` (where a quote comes from), `cite` (who cites what)."""
