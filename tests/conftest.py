from pathlib import Path

import pytest

from pipeline.config import Config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parent.parent / "examples" / "whatsapp_umkm_banua.txt"


@pytest.fixture(scope="session", autouse=True)
def user_config_folder(tmp_path_factory):
    """The user's config folder (where the pseudonym salt is kept) is a temporary one:
    the tests never touch the real home."""
    home = tmp_path_factory.mktemp("config-home")
    # A fixed salt, so that pseudonyms are the same in every session: a random one made
    # a digit check on a pseudonym's hex fail one session in thousands.
    (home / "guyub").mkdir()
    (home / "guyub" / "salt").write_text("guyub-test-salt\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(home))
        yield


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def example_run(tmp_path_factory) -> Path:
    """One `guyub run` on the example, for the tests that only read its outputs (the
    QDA export and review, the report in a browser)."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    out = tmp_path_factory.mktemp("example-run") / "out"
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def normaliser(config):
    from pipeline.normalise import Normaliser

    return Normaliser(config.normalise)


def output_bytes(folder: Path, leave_out: tuple[str, ...] = ("manifest.json",)) -> dict[str, bytes]:
    """Every file of an output folder (the messages dataset's parts too) by its path
    inside it, as bytes; `leave_out`: names that hold times or the config."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in leave_out
    }
