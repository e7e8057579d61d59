"""The guideline's Norwegian scenarios as a library: the step definitions and a runner for any policy."""
