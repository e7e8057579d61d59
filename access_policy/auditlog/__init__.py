"""The decision log: the hash chain, its group-commit writer, signed checkpoints and export.

`chain` (pure: canonical JSON, hashes, the verifier), `writer` (group commit), `checkpoints`
(signed heads), `export` (JSON lines with pseudonyms).

See docs/decision-log.md for the format, precise enough to recompute every hash elsewhere.
"""
