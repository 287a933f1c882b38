"""Where the work runs: the Dask engine (`cluster`) and the collector pause."""
