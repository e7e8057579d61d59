"""The guideline author's workbench: the policy as a static site (rules, scenarios, matrix, diff)."""
