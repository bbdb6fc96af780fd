"""Reference lists and in-text citations: parsing entries, linking citations, storing both, citing a reading."""
