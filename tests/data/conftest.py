from pathlib import Path

import pytest

from jianbao.data import Dataset, load_dataset

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def good() -> Dataset:
    return load_dataset(FIXTURES / "good" / "data")
