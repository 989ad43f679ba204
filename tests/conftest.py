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


@pytest.fixture(autouse=True, scope="session")
def _english_unless_asked():
    """Tests read English output unless they ask for another language: the developer's locale must not decide."""
    import os

    before = os.environ.get("RUBRIC_LANG")
    os.environ["RUBRIC_LANG"] = "en"
    yield
    if before is None:
        os.environ.pop("RUBRIC_LANG", None)
    else:
        os.environ["RUBRIC_LANG"] = before
