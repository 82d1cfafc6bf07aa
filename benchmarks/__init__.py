"""Benchmarks of the econ_index pipeline (`make bench`); not part of the installed package."""
