from pathlib import Path

import pytest

from pipeline.config import Config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parent.parent / "examples" / "whatsapp_umkm_banua.txt"


@pytest.fixture(scope="session", autouse=True)
def user_config_folder(tmp_path_factory):
    """The user's config folder (where the pseudonym salt is made) is a temporary one:
    the tests never touch the real home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
        yield


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def normaliser(config):
    from pipeline.normalise import Normaliser

    return Normaliser(config.normalise)
