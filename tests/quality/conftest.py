import pytest


@pytest.fixture(scope="session")
def engine():
    """One GX engine for the whole session: GX's import and context take seconds, not the tests."""
    from pipelines.quality.engine import GxEngine

    return GxEngine()
