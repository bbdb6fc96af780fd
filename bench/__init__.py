"""Benchmarks run by hand (`make bench` or `python -m bench.run`); results go to RESULTS.md.

They measure how cost grows with a department-sized index on synthetic readings generated at
run time from the vocabulary and sentence shapes of real ones; they are not timed tests.
"""
