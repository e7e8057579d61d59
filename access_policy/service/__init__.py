"""The decision service's I/O layer: settings, tokens, decisions with their log, fact records, demo."""
