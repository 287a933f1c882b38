"""Where the work runs: the fork-based map, the prefetch reader and the collector pause.
These are the machinery the Dask engine replaces (issue 27); the stages do not depend on
how they are run."""
