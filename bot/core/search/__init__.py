"""Ranked retrieval over the index: `ask` (answers), `quote` (where a quote comes from), `cite`
(who cites what), all starting from `retrieval` (vocabulary, quoted FTS5 queries, candidates);
`ranking` scores ask's candidates."""
