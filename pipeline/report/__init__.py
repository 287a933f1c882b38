"""Reports: Table II (themes), Table III (members), topics, and the HTML page, written
from RunData so that a run's files can rebuild them (`guyub report RUN_DIR`).

The package itself imports nothing: `guyub parse` writes its records with `write`
alone, without loading what building a report needs (scikit-learn, SciPy: 0.4 s).
"""
