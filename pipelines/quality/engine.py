"""Great Expectations 1.x itself (pandas path): the reference the DuckDB translator is held to.

Never used on production data (see `translate` for why): `tests/quality/test_gx_parity.py` hands the
same crafted batches to this engine and to the translator and requires the same verdict and counts for
every expectation. GX is imported here only, and only when a `GxEngine` is made (its import takes
seconds, and the Dagster definitions must load fast).
"""

from __future__ import annotations

import itertools
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd

REGEX_GROUPS_WARNING = "This pattern is interpreted as a regular expression"
INDEX_META = "coachwh_index"


@dataclass(frozen=True)
class GxResult:
    """What GX says about one expectation (its `result` counts, as GX 1.x reports them)."""

    index: int  # position in the suite
    success: bool
    element_count: int
    missing_count: int
    unexpected_count: int
    exception: str | None = None


class GxEngine:
    """Validates pandas dataframes against lists of GX expectation dicts."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self._gx = gx
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._names = itertools.count(1)

    def suite(self, name: str, expectations: list[dict[str, Any]]) -> Any:
        """A GX ExpectationSuite of the expectation dicts, each tagged with its position in meta."""
        tagged = [{**e, "meta": {**e.get("meta", {}), INDEX_META: i}} for i, e in enumerate(expectations)]
        return self._gx.ExpectationSuite(name=name, expectations=tagged)

    def validate(
        self, expectations: list[dict[str, Any]], frame: pd.DataFrame, parameters: dict[str, Any] | None = None
    ) -> list[GxResult]:
        """One result per expectation, in suite order. Each call gets its own pandas datasource."""
        name = f"frame_{next(self._names)}"
        datasource = self._context.data_sources.add_pandas(name)
        try:
            batch = (
                datasource.add_dataframe_asset("rows")
                .add_batch_definition_whole_dataframe("whole")
                .get_batch(batch_parameters={"dataframe": frame})
            )
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=REGEX_GROUPS_WARNING)
                result = batch.validate(
                    self.suite(name, expectations),
                    result_format={"result_format": "SUMMARY"},
                    expectation_parameters=parameters or {},
                )
        finally:
            self._context.data_sources.delete(name)
        return sorted((_result(r) for r in result.results), key=lambda r: r.index)


def _result(r: Any) -> GxResult:
    index = int(r.expectation_config.meta[INDEX_META])
    info = r.exception_info or {}
    if info.get("raised_exception"):
        return GxResult(index, False, 0, 0, 0, exception=str(info.get("exception_message")))
    res = r.result or {}
    return GxResult(
        index,
        bool(r.success),
        int(res.get("element_count") or 0),
        int(res.get("missing_count") or 0),
        int(res.get("unexpected_count") or 0),
    )
