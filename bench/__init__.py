"""Benchmarks: `python -m bench` runs all, `python -m bench NAME` one.

Each benchmark measures a ratio against plain Keras in the same run, so the figure does not
depend on how fast the machine is. Each ends by printing one JSON line per figure:
{"figure": ..., "value": ..., "goal": ...}. They are not tests: nothing here asserts.
"""
