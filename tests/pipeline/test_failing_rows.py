"""The first rows a failed dbt test found, read again once dbt has exited, on its check and in the summary."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from pipelines.defs.failing_rows import FIRST_ROWS, compiled_sql, found_rows, with_first_rows
from pipelines.defs.run_report import _check_outcome

GENERIC = "test.coachwh.stg_x__rows_kept.1a2b"
SINGULAR = "test.coachwh.assert_x_reconciles"


def _node(original_file_path: str, path: str) -> dict[str, str]:
    return {"package_name": "coachwh", "original_file_path": original_file_path, "path": path}


MANIFEST = {
    "nodes": {
        GENERIC: _node("models/staging/_x.yml", "stg_x__rows_kept.sql"),
        SINGULAR: _node("tests/marts/assert_x.sql", "marts/assert_x.sql"),
    }
}


def _target(tmp_path, generic_sql: str, singular_sql: str):
    """A dbt build folder holding the compiled SQL of both tests where dbt writes them."""
    compiled = tmp_path / "build" / "compiled" / "coachwh"
    (compiled / "models/staging/_x.yml").mkdir(parents=True)
    (compiled / "models/staging/_x.yml/stg_x__rows_kept.sql").write_text(generic_sql)
    (compiled / "tests/marts").mkdir(parents=True)
    (compiled / "tests/marts/assert_x.sql").write_text(singular_sql)
    return tmp_path / "build"


def _check(unique_id: str, status: str = "warn", rows: int = 2) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["staging", "stg_x"]),
        check_name=unique_id.split(".")[2],
        passed=False,
        severity=dg.AssetCheckSeverity.WARN if status == "warn" else dg.AssetCheckSeverity.ERROR,
        metadata={"unique_id": unique_id, "status": status, "dagster_dbt/failed_row_count": rows},
    )


def test_the_first_rows_of_a_failed_test_are_read_again_and_said_in_the_summary(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table t as select * from (values ('workers.csv', 3, '1006'), ('workers.csv', 1, '7')) v(f, r, k)"
        )
    long_value = "x" * 200
    build = _target(
        tmp_path,
        'select f as file_name, r as row_number, k as "Employee ID" from t order by r;',  # dbt may end with ';'
        f"with broken as (select '{long_value}' as detail) select * from broken",
    )
    generic, singular = with_first_rows([_check(GENERIC), _check(SINGULAR, "fail", 1)], warehouse, build, MANIFEST)
    # where dbt writes each kind: a generic test under its yml's path, a singular one under its own
    assert compiled_sql(build, MANIFEST, GENERIC).endswith("order by r")  # its ';' dropped
    assert compiled_sql(build, MANIFEST, SINGULAR).startswith("with broken as")

    assert generic.metadata[FIRST_ROWS].value == {
        "columns": ["file_name", "row_number", "Employee ID"],
        "rows": [["workers.csv", 1, "7"], ["workers.csv", 3, "1006"]],
    }
    assert _check_outcome(False, generic.metadata) == (
        "2 rows break it; first: file_name='workers.csv', row_number=1, Employee ID='7'; "
        "file_name='workers.csv', row_number=3, Employee ID='1006'"
    )
    # a value is cut at 80 characters; the check keeps what dbt said of it
    assert _check_outcome(False, singular.metadata) == f"1 row breaks it; first: detail='{'x' * 79}…'"
    assert (singular.severity, singular.passed, singular.check_name) == (
        dg.AssetCheckSeverity.ERROR,
        False,
        "assert_x_reconciles",
    )


def test_a_test_whose_rows_cannot_be_read_again_keeps_its_count(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    build = _target(tmp_path, "select * from a_table_gone", "select 1")
    gone, unknown = with_first_rows(
        [_check(GENERIC), _check("test.coachwh.not_in_manifest")], warehouse, build, MANIFEST
    )
    assert _check_outcome(False, gone.metadata) == "2 rows break it"
    assert gone.metadata["first_failing_rows_note"].value.startswith("rows not read: Catalog Error")
    assert unknown.metadata["first_failing_rows_note"].value == "rows not read: dbt wrote no compiled SQL for the test"


def test_only_a_test_that_found_rows_is_held_for_its_rows():
    assert found_rows(_check(GENERIC, "warn")) and found_rows(_check(GENERIC, "fail"))
    assert not found_rows(_check(GENERIC, "error"))  # it never ran: nothing to read
    passed = dg.AssetCheckResult(
        asset_key=dg.AssetKey("a"), check_name="c", passed=True, metadata={"unique_id": GENERIC}
    )
    assert not found_rows(passed) and not found_rows(dg.AssetMaterialization("a"))


class _FakeProcess:
    """dbt's process: ended with `exit_code`, or still running (None) until it is signalled."""

    pid = -1

    def __init__(self, exit_code):
        self.exit_code = exit_code

    def poll(self):
        return self.exit_code

    def send_signal(self, _signal):
        self.exit_code = -2

    def communicate(self, timeout=None):
        return b"", b""


class _FakeInvocation:
    """What duckdb_build_events reads of dagster-dbt's invocation: a stream that ends as dbt did."""

    def __init__(self, events, target_path, exit_code, error=None):
        self.events, self.error, self.target_path, self.manifest = events, error, target_path, MANIFEST
        self.process = _FakeProcess(exit_code)

    def stream(self):
        yield from self.events
        if self.error is not None:
            raise self.error


def test_a_failed_build_still_gives_its_failed_tests_with_their_rows_before_it_fails(tmp_path):
    from pipelines.defs.warehouse import duckdb_build_events

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select 'x' as k")
    build = _target(tmp_path, "select k from t", "select 1")
    passed = dg.AssetCheckResult(asset_key=dg.AssetKey("a"), check_name="ok", passed=True)
    failing = _check(GENERIC, "fail", 1)
    error = RuntimeError("dbt failed with exit code 1")
    seen = []
    with pytest.raises(RuntimeError, match="exit code 1"):
        for event in duckdb_build_events(_FakeInvocation([failing, passed], build, 1, error), warehouse):
            seen.append(event)
    # the passing check as it came, the failed one after dbt ended, with what it found
    assert [e.check_name for e in seen] == ["ok", "stg_x__rows_kept"]
    assert seen[1].metadata[FIRST_ROWS].value == {"columns": ["k"], "rows": [["x"]]}
    # dbt still running (the step stopped following it): the warehouse is dbt's, the count goes out alone
    still = list(duckdb_build_events(_FakeInvocation([failing], build, None), warehouse))
    assert still == [failing]


def test_an_interrupted_build_still_records_its_failed_tests(tmp_path):
    """Terminate or Ctrl-C while dbt runs: the failed test's check goes out with its count (a check never recorded
    would leave its previous pass as the latest, which a later publication goes by)."""
    from dagster._core.errors import DagsterExecutionInterruptedError

    from pipelines.defs.warehouse import duckdb_build_events

    build = _target(tmp_path, "select 1", "select 1")
    failing = _check(GENERIC, "fail", 1)
    interrupted = _FakeInvocation([failing], build, None, DagsterExecutionInterruptedError())
    seen = []
    with pytest.raises(DagsterExecutionInterruptedError):
        for event in duckdb_build_events(interrupted, tmp_path / "warehouse.duckdb"):
            seen.append(event)
    assert seen == [failing]


def test_the_rows_of_a_test_on_survey_responses_are_never_read_again(tmp_path):
    """The suppression test finds a team below the anonymity threshold: its row is one person's answers, which must
    not travel in the alert. The survey's nodes are named as the project's manifest names them."""
    import json

    from pipelines.config import DBT_PROJECT_DIR
    from pipelines.defs.failing_rows import SURVEY_NODES

    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    suppression = "test.coachwh.assert_engagement_suppression_follows_threshold"
    manifest = {
        "nodes": {
            suppression: {
                **_node("tests/marts/assert_s.sql", "marts/assert_s.sql"),
                "depends_on": {"nodes": ["model.coachwh.mart_manager_engagement"]},
            }
        }
    }
    (checked,) = with_first_rows([_check(suppression, "fail", 1)], warehouse, _target(tmp_path, "", ""), manifest)
    assert FIRST_ROWS not in checked.metadata
    assert checked.metadata["first_failing_rows_note"].value == "rows not read: a test on survey responses (anonymity)"
    project = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    assert SURVEY_NODES <= set(project["nodes"]) | set(project["sources"])
    assert "model.coachwh.mart_manager_engagement" in project["nodes"][suppression]["depends_on"]["nodes"]
