"""Benchmarks run by hand (`make bench` or `python -m bench.<name>`); tests never time things."""
