"""The discussion log: messages, channels, queries and feedback; imports, retention and pseudonyms."""
