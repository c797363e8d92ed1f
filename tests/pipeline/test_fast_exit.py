"""Commands leave as soon as their work is done: `coachwh` and `coachwh-dbt` skip the exit's garbage search."""

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.config import dbt_executable

# Registered before the command runs, so it runs at exit after the command's own exit: it reports whether the
# objects the command left were frozen (left out of the interpreter's final collections).
REPORT_FREEZE = "import atexit, gc; atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0)); "


def _python(code: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, **kwargs)


def test_exit_now_exits_with_the_code_and_freezes_what_is_alive():
    done = _python(REPORT_FREEZE + "from pipelines.fast_exit import exit_now; print('work done'); exit_now(3)")
    assert done.returncode == 3
    assert done.stdout.splitlines() == ["work done", "frozen: True"]


def test_without_it_nothing_is_frozen():
    # the check above can fail: a process that exits normally reports False
    done = _python(REPORT_FREEZE + "import sys; sys.exit(0)")
    assert done.stdout.splitlines() == ["frozen: False"]


def test_the_coachwh_command_runs_the_command_then_exits_frozen(tmp_path):
    code = REPORT_FREEZE + "import sys; from pipelines.cli import console; sys.argv = ['coachwh', 'status']; console()"
    done = _python(code, env={"PATH": "/usr/bin:/bin", "COACHWH_HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stderr
    assert "warehouse not built yet" in done.stdout
    assert done.stdout.splitlines()[-1] == "frozen: True"


def test_the_nightly_build_runs_the_launcher_when_it_is_installed(tmp_path):
    (tmp_path / "dbt").touch()
    assert dbt_executable(tmp_path) == tmp_path / "dbt"  # an install from before the launcher: dbt itself
    (tmp_path / "coachwh-dbt").touch()
    assert dbt_executable(tmp_path) == tmp_path / "coachwh-dbt"
    # this environment was set up with it (pyproject.toml's scripts)
    assert dbt_executable().name == "coachwh-dbt"


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--help"], ["no-such-command"]])
def test_coachwh_dbt_answers_as_dbt_does(args):
    bin_dir = Path(sys.executable).parent
    ours = subprocess.run([bin_dir / "coachwh-dbt", *args], capture_output=True, text=True)
    theirs = subprocess.run([bin_dir / "dbt", *args], capture_output=True, text=True)
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr)
    assert ours.stdout.startswith("Usage: dbt") or ours.stderr.startswith("Usage: dbt")


@pytest.mark.slow
def test_coachwh_dbt_exits_frozen_with_dbts_code(tmp_path):
    # what the launcher is for: dbt's exit code, and its objects left out of the exit's collections
    code = REPORT_FREEZE + "import sys; sys.argv = ['coachwh-dbt', 'no-such-command']; "
    code += "from pipelines.dbt_launcher import main; main()"
    done = _python(code, cwd=tmp_path)
    assert done.returncode == 2  # click's usage error, as `dbt no-such-command` gives
    assert done.stdout.splitlines()[-1] == "frozen: True"
