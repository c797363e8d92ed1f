"""One nightly run of the small sample per test session, shared by the nightly and the report tests."""

import signal

import pytest

from pipelines.config import settings
from pipelines.nightly import run_nightly
from pipelines.sample import generate


@pytest.fixture(scope="session")
def sigterm_around_night():
    """SIGTERM's disposition before and after the `night` fixture's run (filled by it)."""
    return {}


@pytest.fixture(scope="session")
def night(tmp_path_factory, sigterm_around_night):
    """(settings, ok) after generating the small sample (two nights) and running the nightly job on it."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COACHWH_HOME", str(home))
        mp.delenv("COACHWH_LANDING", raising=False)
        mp.delenv("DAGSTER_HOME", raising=False)
        cfg = settings()
        generate(out=cfg.landing, profile="small", days=2)
        sigterm_around_night["before"] = signal.getsignal(signal.SIGTERM)
        ok = run_nightly(cfg)
        sigterm_around_night["after"] = signal.getsignal(signal.SIGTERM)
    # the environment is back as it was (run_nightly sets COACHWH_HOME itself when it runs again)
    yield cfg, ok
