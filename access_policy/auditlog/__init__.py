"""The decision log: the hash chain (`chain`), its writer with group commit (`writer`), signed checkpoints (`checkpoints`) and export (`export`).

See docs/decision-log.md for the format, precise enough to recompute every hash elsewhere.
"""
