"""Great Expectations 1.x, pandas path, behind one small class.

GX is imported here only, and only when a `GxEngine` is made: its import takes seconds and the Dagster
definitions must load fast. (GX's SQL path fails on DuckDB; `dagster-ge` needs GX < 1.) One ephemeral
context per engine; each chunk is handed to a whole-dataframe batch definition of a pandas datasource
made for it, and released after validation.
"""

from __future__ import annotations

import itertools
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd

INDEX_COLUMNS = ["_batch_id", "_source_file", "_row_number"]
REGEX_GROUPS_WARNING = "This pattern is interpreted as a regular expression"


@dataclass(frozen=True)
class ExpectationOutcome:
    meta: dict[str, Any]  # the expectation's meta, to match results to the suite
    success: bool
    unexpected_count: int
    checked_count: int  # values GX tested (non-missing for column map expectations)
    # [{"<column>": value, "_batch_id": ..., "_source_file": ..., "_row_number": ...}, ...] in frame order
    examples: list[dict[str, Any]]
    error: str | None = None


class GxEngine:
    """Validates dataframes against suites given as JSON dicts."""

    def __init__(self, max_examples: int) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self._gx = gx
        self._max_examples = max_examples
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._chunks = itertools.count(1)
        self._suites: dict[tuple[str, int], Any] = {}

    def suite(self, name: str, expectations: list[dict[str, Any]]) -> Any:
        """A GX ExpectationSuite (cached per name and content) of the given expectation dicts."""
        key = (name, hash(repr(expectations)))
        if key not in self._suites:
            self._suites[key] = self._gx.ExpectationSuite(name=name, expectations=expectations)
        return self._suites[key]

    def validate(self, suite: Any, frame: pd.DataFrame) -> list[ExpectationOutcome]:
        """One outcome per expectation of `suite`.

        Each chunk gets its own pandas datasource, deleted afterwards: a datasource's execution engine
        caches every batch it was given and every metric it computed (boolean Series per expectation),
        which over 60 chunks of a 15M-row table grew the process by gigabytes."""
        name = f"chunk_{next(self._chunks)}"
        datasource = self._context.data_sources.add_pandas(name)
        try:
            asset = datasource.add_dataframe_asset("rows")
            batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": frame})
            with warnings.catch_warnings():
                # pandas warns that our regexes have groups (GX calls str.contains): harmless here.
                warnings.filterwarnings("ignore", message=REGEX_GROUPS_WARNING)
                result = self._validate(batch, suite)
            return [_outcome(r) for r in result.results]
        finally:
            self._context.data_sources.delete(name)

    def _validate(self, batch: Any, suite: Any) -> Any:
        return batch.validate(
            suite,
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": INDEX_COLUMNS,
                "partial_unexpected_count": self._max_examples,
            },
        )


def _outcome(r: Any) -> ExpectationOutcome:
    meta = dict(r.expectation_config.meta or {})
    info = r.exception_info or {}
    if info.get("raised_exception"):
        return ExpectationOutcome(meta, False, 0, 0, [], error=str(info.get("exception_message")))
    res = r.result or {}
    return ExpectationOutcome(
        meta=meta,
        success=bool(r.success),
        unexpected_count=int(res.get("unexpected_count") or 0),
        checked_count=int(res.get("element_count") or 0) - int(res.get("missing_count") or 0),
        examples=list(res.get("partial_unexpected_index_list") or []),
    )
