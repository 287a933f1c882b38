"""Benchmarks: generated corpora, timings and peak memory, peers in the same run."""
