import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUBRICS = ROOT / "rubrics"


@pytest.fixture(scope="session")
def info():
    import rubric_dsl

    return rubric_dsl.load(RUBRICS / "2009_info.rubric")


@pytest.fixture(scope="session")
def informatization():
    import rubric_dsl

    return rubric_dsl.load(RUBRICS / "2009_informatization.rubric")
