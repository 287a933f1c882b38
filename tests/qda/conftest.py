import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import EXAMPLE


@pytest.fixture(scope="package")
def run_dir(tmp_path_factory):
    """A run on the example, for every test here to export, review and compare with."""
    out = tmp_path_factory.mktemp("run") / "out"
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out
