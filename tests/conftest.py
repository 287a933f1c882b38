from pathlib import Path

import pytest

from pipeline.config import Config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parent.parent / "examples" / "whatsapp_umkm_banua.txt"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def normaliser(config):
    from pipeline.normalise import Normaliser

    return Normaliser(config.normalise)
