"""The GX suites in expectations/<raw_table>.json, and what a runner needs to know about them.

The files are GX 1.x ExpectationSuite JSON (`{"name", "expectations": [{"type", "kwargs", "meta"}]}`) so
that `gx.ExpectationSuite(**json)` loads them. Two conventions of ours on top:

- `meta.rule` is the human wording of the rule, used in failure messages.
- `meta.severity` is `error` (a batch that breaks it is refused at the gate) or `warn` (it loads; the
  warning is stored with the results and shown by `coachwh check` and the Dagster check).
- A column named `<column>::number` is the text column cast to DOUBLE by DuckDB (`TRY_CAST`, so an
  unparseable value is null there and is reported by the column's own format expectation instead).
  Numeric ranges are checked on these columns; raw tables hold text only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines.config import PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
NUMBER_SUFFIX = "::number"
SEVERITIES = ("error", "warn")  # meta.severity: error refuses the batch, warn loads it and reports
UNIQUENESS_TYPES = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})


class SuiteError(ValueError):
    """A suite file is missing or malformed."""


def suite_path(raw_table: str, folder: Path = EXPECTATIONS_DIR) -> Path:
    return folder / f"{raw_table}.json"


def load_suite(raw_table: str, folder: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The suite of raw.<raw_table> as a JSON dict (checked for shape, not yet a GX object)."""
    path = suite_path(raw_table, folder)
    try:
        suite = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise SuiteError(f"no GX suite for raw.{raw_table}: {path} is missing") from e
    except json.JSONDecodeError as e:
        raise SuiteError(f"{path} is not valid JSON: {e}") from e
    if suite.get("name") != raw_table:
        raise SuiteError(f"{path}: suite name is {suite.get('name')!r}, expected {raw_table!r}")
    exps = suite.get("expectations")
    if not isinstance(exps, list) or not exps:
        raise SuiteError(f"{path}: 'expectations' must be a non-empty list")
    for i, e in enumerate(exps):
        if not isinstance(e, dict) or not str(e.get("type", "")).startswith("expect_") or "kwargs" not in e:
            raise SuiteError(f"{path}: expectation #{i} needs a 'type' expect_... and 'kwargs'")
        if severity(e) not in SEVERITIES:
            raise SuiteError(f"{path}: expectation #{i}: meta.severity must be one of {', '.join(SEVERITIES)}")
    return suite


def severity(expectation: dict[str, Any]) -> str:
    """`error` (the batch is refused) or `warn` (it loads, and the warning is reported); default error."""
    return expectation.get("meta", {}).get("severity", "error")


def is_personal(expectation: dict[str, Any]) -> bool:
    """True for a check of personal data (`meta.personal`, from `Column.personal`): its values are never shown."""
    return bool(expectation.get("meta", {}).get("personal", False))


def base_column(name: str) -> str:
    """The delivered column behind a suite column (`Amount::number` -> `Amount`)."""
    return name.removesuffix(NUMBER_SUFFIX)


def _condition_columns(condition: Any) -> Iterator[str]:
    if isinstance(condition, dict):
        col = condition.get("column")
        if isinstance(col, dict) and isinstance(col.get("name"), str):
            yield col["name"]
        for value in condition.values():
            if isinstance(value, (dict, list)):
                yield from _condition_columns(value)
    elif isinstance(condition, list):
        for item in condition:
            yield from _condition_columns(item)


def target_columns(expectation: dict[str, Any]) -> list[str]:
    """The suite columns an expectation tests (`column`, `column_A`/`column_B` or `column_list`)."""
    kwargs = expectation["kwargs"]
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list", []))


def expectation_columns(expectation: dict[str, Any]) -> list[str]:
    """Every suite column an expectation reads: its targets and the columns of its row_condition."""
    cols = target_columns(expectation)
    cols += [c for c in _condition_columns(expectation["kwargs"].get("row_condition")) if c not in cols]
    return cols


def suite_columns(suite: dict[str, Any]) -> list[str]:
    """Every suite column (delivered or `::number`) the suite reads, in first-use order."""
    seen: dict[str, None] = {}
    for e in suite["expectations"]:
        for c in expectation_columns(e):
            seen.setdefault(c, None)
    return list(seen)


def is_uniqueness(expectation: dict[str, Any]) -> bool:
    """Key uniqueness needs the whole batch, so it is evaluated apart from the row-by-row chunks."""
    return expectation["type"] in UNIQUENESS_TYPES
