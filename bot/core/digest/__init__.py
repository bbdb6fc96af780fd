"""Instructor digests: computed from the discussion log, matched against the readings, rendered as files."""
