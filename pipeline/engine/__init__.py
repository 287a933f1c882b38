"""Where the work runs: the Dask engine (`cluster`), the prefetch reader that normalises
while a large input is parsed (it still forks; it goes when ingest writes partitions,
issue 27), and the collector pause."""
