"""Instructor digests: computed from the discussion log (`compute`, one module a concern, the
records in `model`), matched against the readings (`matcher`), rendered as files (`render`)."""
