"""What a validation found, phrased for the data engineer who has to fix the export.

A failure message names the file, the row numbers (1-based data records of the file, `_row_number`),
the column, the offending values and the rule, e.g.
`Call2_vod__c.csv rows 17, 212: Status_vod__c 'Done' not in {Planned_vod, Saved_vod, Submitted_vod}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pipelines.quality.suites import base_column, severity, target_columns

MAX_EXAMPLES = 5
# A longer pattern (a calendar's days) tells a reader less than the rule's words; the suite file has it.
SHOWN_REGEX_CHARS = 60


# In place of a personal value (`suites.is_personal`): the row is named, the value is not.
WITHHELD = object()


@dataclass(frozen=True)
class Example:
    batch_id: str
    source_file: str
    row_number: int
    value: Any  # the offending value; a tuple for compound keys
    record: str = ""  # the record's key as delivered (`Id`, `Employee ID`, ...), to find it upstream


@dataclass
class Failure:
    """The result of one expectation of a suite on one batch, in GX's terms (counts as GX counts them).

    Named for what a report mostly shows; a passed expectation is a `Failure` with `success` true.
    """

    index: int  # position in the suite
    expectation: dict[str, Any]
    unexpected_count: int = 0
    element_count: int = 0  # rows in the expectation's domain (after its row_condition)
    missing_count: int = 0  # of those, the missing values GX does not judge
    success: bool = False
    examples: list[Example] = field(default_factory=list)  # the first unexpected rows, in file order
    top_values: list[tuple[Any, int]] = field(default_factory=list)  # most frequent offending values
    show_batch: bool = False  # name the batch with the file (the report covers several batches)

    @property
    def severity(self) -> str:
        return severity(self.expectation)

    @property
    def column(self) -> str:
        # delivered columns only: `_file_wave` is computed from the file name, not a column of the file
        cols = [base_column(c) for c in target_columns(self.expectation) if not c.startswith("_")]
        return cols[0] if len(cols) == 1 else "(" + ", ".join(cols) + ")"

    @property
    def rule(self) -> str:
        return describe_rule(self.expectation)

    def message(self) -> str:
        where = _rows_text(self.examples, self.unexpected_count, self.show_batch)
        return f"{where}: {self.column} {_values_text(self.expectation, self.examples)}{self.rule_phrase()}"

    def rule_phrase(self) -> str:
        e, kw = self.expectation, self.expectation["kwargs"]
        rule = e.get("meta", {}).get("rule", "")
        t = e["type"]
        if t == "expect_column_values_to_not_be_null":
            text = f"is empty ({rule or 'required'})"
        elif t == "expect_column_values_to_be_null":
            text = f"should be empty ({rule})" if rule else "should be empty"
        elif t == "expect_column_values_to_be_in_set":
            text = "not " + _set_text(kw) + (f" ({rule})" if isinstance(kw["value_set"], dict) and rule else "")
        elif t == "expect_column_values_to_match_regex":
            shown = f" ({kw['regex']})" if len(kw["regex"]) <= SHOWN_REGEX_CHARS else ""
            text = f"does not match {rule}{shown}" if rule else f"does not match {kw['regex']}"
        elif t == "expect_column_values_to_be_between":
            # the rule's own words only when they say more than the range ("ENPS 0-10", not "amount >= 0")
            text = _out_of_range_text(kw) + (f" ({rule})" if rule and _range_text(kw) not in rule else "")
        elif t in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
            text = "occurs more than once in the batch (key must be unique)"
        elif t in _WORDS:
            text = f"is not {_WORDS[t](kw, rule)}"
        else:
            text = f"fails {t} {_kwargs_text(kw)}"
        condition = condition_text(kw.get("row_condition"))
        return f"{text}{' where ' + condition if condition else ''}{_mostly_text(kw)}"


def _mostly_text(kw: dict[str, Any]) -> str:
    mostly = kw.get("mostly")
    return f" (needed in at least {mostly:.0%} of the non-empty values)" if mostly is not None else ""


def describe_rule(expectation: dict[str, Any]) -> str:
    """A short name of the rule for tables: `in {Draft, Submitted}`, `18-character Salesforce id`."""
    e, kw = expectation, expectation["kwargs"]
    rule = e.get("meta", {}).get("rule")
    t = e["type"]
    if t == "expect_column_values_to_be_in_set":
        text = _set_text(kw)
    elif t == "expect_column_values_to_be_between":
        text = _range_text(kw)
    elif t == "expect_column_values_to_not_be_null":
        text = "not empty"
    elif t == "expect_column_values_to_be_null":
        text = "empty"
    elif t in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        text = "unique within the batch"
    elif t == "expect_column_values_to_match_regex":
        text = rule or f"matches {kw['regex']}"
        rule = None
    elif t in _WORDS:
        text, rule = _WORDS[t](kw, rule), None
    else:
        text = f"{t} {_kwargs_text(kw)}"
    if rule and rule not in ("required", "vocabulary", "unique within the batch"):
        text += f" ({rule})"
    condition = condition_text(kw.get("row_condition"))
    mostly = kw.get("mostly")
    return f"{text}{' where ' + condition if condition else ''}{f' (mostly {mostly:.0%})' if mostly else ''}"


def _set_text(kw: dict[str, Any]) -> str:
    values = kw["value_set"]
    if isinstance(values, dict):  # a GX suite parameter, e.g. the batch's CRM user ids
        return f"in {values.get('$PARAMETER')}"
    return "in {" + ", ".join(str(v) for v in values) + "}"


# Expectation types whose wording is the rule itself: `meta.rule`, else a phrase from the kwargs.
_WORDS = {
    "expect_column_pair_values_to_be_equal": lambda kw, rule: rule or f"equal to {kw['column_B']}",
}


def condition_text(condition: Any) -> str:
    """`IsDeleted = 'false'` for a GX comparison row_condition; '' for none."""
    if not condition:
        return ""
    if isinstance(condition, dict) and condition.get("type") == "comparison":
        op = {"==": "=", "!=": "≠"}.get(condition["operator"], condition["operator"])
        return f"{condition['column']['name']} {op} {condition['parameter']!r}"
    if isinstance(condition, dict) and condition.get("type") == "nullity":
        return f"{condition['column']['name']} is {'' if condition.get('is_null') else 'not '}empty"
    return str(condition)


def _range_text(kw: dict[str, Any]) -> str:
    lo, hi = kw.get("min_value"), kw.get("max_value")
    if lo is not None and hi is not None:
        left, right = ("(" if kw.get("strict_min") else "["), (")" if kw.get("strict_max") else "]")
        return f"in {left}{_num(lo)}, {_num(hi)}{right}"
    if lo is not None:
        return f"{'>' if kw.get('strict_min') else '>='} {_num(lo)}"
    return f"{'<' if kw.get('strict_max') else '<='} {_num(hi)}"


def _out_of_range_text(kw: dict[str, Any]) -> str:
    """What a value breaking a between-expectation is: `is below 0`, `is outside [0, 10]`."""
    lo, hi = kw.get("min_value"), kw.get("max_value")
    if lo is not None and hi is not None:
        return f"is outside {_range_text(kw)[len('in ') :]}"
    if lo is not None:
        return f"is {_num(lo)} or below" if kw.get("strict_min") else f"is below {_num(lo)}"
    return f"is {_num(hi)} or above" if kw.get("strict_max") else f"is above {_num(hi)}"


def _kwargs_text(kw: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kw.items() if k not in ("column", "column_list", "row_condition"))


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def value_repr(v: Any) -> str:
    if v is WITHHELD:
        return "(value withheld: personal data)"
    if isinstance(v, tuple):
        return "(" + ", ".join(value_repr(x) for x in v) + ")"
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "empty"
    if isinstance(v, float):
        return _num(v)
    return repr(str(v))


def _values_text(expectation: dict[str, Any], examples: list[Example]) -> str:
    if expectation["type"] == "expect_column_values_to_not_be_null" or not examples:
        return ""
    distinct: dict[str, None] = {}
    for ex in examples:
        distinct.setdefault(value_repr(ex.value), None)
    return ", ".join(distinct) + " "


def _file_label(ex: Example, with_batch: bool) -> str:
    return f"{ex.batch_id}/{ex.source_file}" if with_batch else ex.source_file


def _numbered(noun: str, numbers: list[int]) -> str:
    return f"{noun}{'s' if len(numbers) > 1 else ''} {', '.join(str(n) for n in numbers)}"


def _sheet_rows(file_name: str, rows: list[int]) -> str:
    """A workbook's rows as Excel numbers them, its header being row 1: data row 1 is sheet row 2."""
    return f" ({_numbered('sheet row', [r + 1 for r in rows])})" if file_name.lower().endswith(".xlsx") else ""


def _rows_text(examples: list[Example], count: int, with_batch: bool) -> str:
    by_file: dict[str, list[int]] = {}
    for ex in examples:
        by_file.setdefault(_file_label(ex, with_batch), []).append(ex.row_number)
    parts = [f"{name} {_numbered('row', rows)}{_sheet_rows(name, rows)}" for name, rows in by_file.items()]
    text = "; ".join(parts) if parts else "rows ?"
    more = count - len(examples)
    return f"{text} and {more} more ({count} rows)" if more > 0 else text


@dataclass
class ValidationReport:
    """The outcome of one suite over the batches validated of one raw table."""

    raw_table: str
    selection: str = ""  # which batches were chosen and why
    extract_dates: list[str] = field(default_factory=list)
    batch_ids: list[str] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)
    rows: int = 0
    expectations_run: int = 0
    seconds: float = 0.0
    results: list[Failure] = field(default_factory=list)  # one per expectation and batch validated

    @property
    def failures(self) -> list[Failure]:
        return [r for r in self.results if not r.success]

    @property
    def errors(self) -> list[Failure]:
        """Failed error-level expectations: a batch with any is refused at the gate."""
        return [r for r in self.failures if r.severity == "error"]

    @property
    def warnings(self) -> list[Failure]:
        return [r for r in self.failures if r.severity == "warn"]

    @property
    def passed(self) -> bool:
        return not self.failures

    def merge(self, other: ValidationReport) -> None:
        """Add the results of another batch of the same table."""
        self.batch_ids += [b for b in other.batch_ids if b not in self.batch_ids]
        self.source_files += [f for f in other.source_files if f not in self.source_files]
        self.rows += other.rows
        self.expectations_run = max(self.expectations_run, other.expectations_run)
        self.results += other.results
        for r in self.results:
            r.show_batch = len(self.batch_ids) > 1

    def summary(self) -> str:
        if self.rows == 0:
            where = f" in the {self.selection}" if self.selection else ""
            return f"raw.{self.raw_table}: no rows yet{where}, nothing to validate"
        files = ", ".join(self.source_files)
        batches = f" ({', '.join(self.batch_ids)})" if self.batch_ids else ""
        head = f"{files}{batches}: {self.rows} rows, {self.expectations_run} expectations"
        if self.passed:
            return f"{head}, all met"
        return (
            f"{head}, {len(self.failures)} violated: "
            + "; ".join(f.message() for f in self.failures[:3])
            + (f"; and {len(self.failures) - 3} more" if len(self.failures) > 3 else "")
        )
