"""Benchmarks: the engine, its peers (naive casbin, Cedar) and the service, measured side by side.

`access-policy bench` runs the workloads of `runner.WORKLOADS`, prints a table and writes the
results as JSON and Markdown. Every ratio is computed from figures taken in the same run.
"""
