"""Benchmarks run by hand (`make bench` runs `python -m bench.run`; others are
`python -m bench.<name>`); results go to bench/RESULTS.md. Tests never time things.

bench.run measures how cost grows with a department-sized index on synthetic readings generated
at run time from the vocabulary and sentence shapes of real ones.
"""
