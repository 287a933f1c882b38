import pytest


@pytest.fixture(scope="package")
def run_dir(example_run):
    """The example's run, for every test here to export, review and compare with."""
    return example_run
