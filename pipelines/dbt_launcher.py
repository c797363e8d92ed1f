"""`coachwh-dbt`: dbt's own command line, as the nightly build runs it, leaving as soon as dbt is done.

The same as the `dbt` command installed beside it (same arguments, output and exit code), except that the
process does not spend 0.5-0.8 s of each night searching dbt's parsed project for reference cycles once dbt
has finished (see pipelines/fast_exit.py). The dbt asset runs it when it is installed (`make setup`).
"""

from __future__ import annotations

from typing import NoReturn

from pipelines.fast_exit import exit_now


def main() -> NoReturn:
    from dbt.cli.main import cli

    code = None
    try:
        cli(prog_name="dbt")  # click's standalone mode ends in SystemExit with dbt's exit code
    except SystemExit as done:
        code = done.code
    exit_now(code)
