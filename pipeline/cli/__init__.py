"""The `guyub` command. Each command parses its arguments and calls one function;
bad input is reported as `file:line: reason` with exit code 2, never a traceback.

What fitting, applying and reporting need (scikit-learn, SciPy, DuckDB, Arrow) is
imported in the commands that use it: `guyub parse` and `--help` then start in 0.1 s
instead of 0.6 s."""

# each registers its commands, in the order --help lists them: the pipeline's first
from pipeline.cli import commands, tools, qda, batch  # noqa: I001, F401
from pipeline.cli.app import app

__all__ = ["app"]
