"""The scheduled batch job (`job`) over many groups' exports and its DuckDB store (`store`)."""
