"""GX expectations as DuckDB SQL: one aggregate query per suite, one example query per failure.

Why a translator and not GX itself. The suites stay Great Expectations suites (GX's expectation names,
kwargs and result format), but validating with GX's pandas path means pulling every row out of DuckDB
into pandas: about 250 s of a 406 s first run on the large profile, against 44 s for DuckDB to read the
same files. GX's SQL path on DuckDB needs two patches to its internals and still disagrees with the
pandas path on 5 of our 199 expectations (compound keys with a NULL part, a row_condition that selects
no row, `!=` over NULLs). So each expectation type in use is written here once as a SQL predicate with
GX's pandas semantics, and `tests/quality/test_gx_parity.py` runs GX's own pandas path on crafted
batches (good and bad, every type and every row_condition shape in use) and asserts the same success,
element, missing and unexpected counts per expectation. An expectation type not listed here is refused
when the suite is compiled (`UnsupportedExpectation`), never silently skipped.

The semantics copied from GX 1.x (pandas):
- `row_condition` filters the rows first; a comparison is pandas' `DataFrame.query`, so `!=` is true
  for a missing value and `==` false.
- Column map expectations then drop missing values (not_be_null / be_null look at them instead):
  element_count = rows after the condition, missing_count = nulls among them, and `mostly` is judged on
  the non-missing ones. No row to judge is vacuously a success.
- `match_regex` is Python's `re.search` (RE2's `regexp_matches` is also a search; a `$` is widened to
  Python's "end, or before a final newline").
- Uniqueness is `duplicated(keep=False)`: every row of a repeated value is unexpected. Compound keys
  drop rows whose key is all missing and compare missing parts as equal (so does SQL's GROUP BY).
- A column pair compares with `==` after dropping rows where both are missing.
- `value_set` may be `{"$PARAMETER": name}` (a GX suite parameter); the caller gives its SQL subquery.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pipelines.quality.suites import NUMBER_SUFFIX, base_column, expectation_columns, target_columns
from pipelines.sources import quote
from pipelines.warehouse_file import sql_literal

# Columns a suite may name that are computed from the delivered ones (raw tables hold text only).
FILE_WAVE = "_file_wave"  # the wave in a survey file's name: responses_<wave>.csv


class UnsupportedExpectation(ValueError):
    """A suite uses an expectation type (or kwarg) that the translator does not implement."""


def column_sql(name: str) -> str:
    """The SQL of a suite column: a delivered column, `<column>::number`, or a computed column.

    `<column>::number` is TRY_CAST to DOUBLE (an unparseable value is missing there, and is reported
    by the column's own format expectation); NaN counts as missing, as it does in pandas.
    """
    if name.endswith(NUMBER_SUFFIX):
        return f"nullif(TRY_CAST({quote(base_column(name))} AS DOUBLE), 'NaN'::DOUBLE)"
    if name == FILE_WAVE:
        return "nullif(regexp_extract(_source_file, '^responses_(.*)\\.csv$', 1), '')"
    return quote(name)


def _python_regex(regex: str) -> str:
    """`regex` for RE2 with Python's meaning of `$`: end of text, or just before a final newline."""
    out, in_class, escaped = [], False, False
    for ch in regex:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append("\\n?$")
        else:
            out.append(ch)
    return "".join(out)


def condition_sql(condition: Any) -> str:
    """A GX 1.x row_condition (comparison / nullity / and / or dicts) as a SQL predicate, pandas-style."""
    if not condition:
        return "true"
    if not isinstance(condition, dict) or "type" not in condition:
        raise UnsupportedExpectation(f"row_condition {condition!r}: only GX condition objects are supported")
    kind = condition["type"]
    if kind in ("and", "or"):
        parts = [condition_sql(c) for c in condition["conditions"]]
        return "(" + f" {kind} ".join(parts) + ")"
    col = column_sql(condition["column"]["name"])
    if kind == "nullity":
        return f"{col} IS {'' if condition.get('is_null') else 'NOT '}NULL"
    if kind != "comparison":
        raise UnsupportedExpectation(f"row_condition type {kind!r}")
    op, value = condition["operator"], condition["parameter"]
    if op in ("IN", "NOT IN", "in", "not in"):
        values = ", ".join(_literal(v) for v in value)
        inside = f"coalesce({col} IN ({values}), false)"
        return inside if op.lower() == "in" else f"NOT {inside}"
    if op == "!=":
        return f"({col} IS NULL OR {col} <> {_literal(value)})"
    if op in ("==", "<", "<=", ">", ">="):
        return f"coalesce({col} {'=' if op == '==' else op} {_literal(value)}, false)"
    raise UnsupportedExpectation(f"row_condition operator {op!r}")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return sql_literal(str(value))


@dataclass(frozen=True)
class Compiled:
    """One expectation as SQL over the batch relation.

    Rows of the relation are in the expectation's domain when `domain` (its row_condition) holds; among
    those, `missing` are the rows GX drops (missing values; for compound keys and pairs, its
    ignore_row_if rule) and `unexpected` the ones it reports. Uniqueness has no row predicate: its
    unexpected rows are those whose key repeats among the non-missing (`duplicates_sql`).
    """

    index: int
    expectation: dict[str, Any]
    domain: str
    missing: str
    unexpected: str | None  # None for uniqueness: see `duplicates`
    keys: tuple[str, ...] = ()
    nulls_of: str | None = None  # not_be_null: the column whose nulls are the unexpected rows

    @property
    def is_uniqueness(self) -> bool:
        return self.unexpected is None


Parameters = dict[str, str]  # GX suite parameter name -> SQL subquery giving its values


def _value_set(kw: dict[str, Any], params: Parameters) -> str:
    values = kw["value_set"]
    if isinstance(values, dict) and "$PARAMETER" in values:
        name = values["$PARAMETER"]
        if name not in params:
            raise UnsupportedExpectation(f"suite parameter {name!r} has no value here")
        return f"(SELECT v FROM ({params[name]}) AS p(v) WHERE v IS NOT NULL)"
    if not isinstance(values, list) or not values:
        raise UnsupportedExpectation(f"value_set must be a non-empty list, found {values!r}")
    return "(" + ", ".join(_literal(v) for v in values) + ")"


def _between(col: str, kw: dict[str, Any]) -> str:
    lo, hi = kw.get("min_value"), kw.get("max_value")
    if lo is None and hi is None:
        raise UnsupportedExpectation("expect_column_values_to_be_between needs min_value or max_value")
    ok = []
    if lo is not None:
        ok.append(f"{col} {'>' if kw.get('strict_min') else '>='} {_literal(lo)}")
    if hi is not None:
        ok.append(f"{col} {'<' if kw.get('strict_max') else '<='} {_literal(hi)}")
    return "NOT (" + " AND ".join(ok) + ")"


Rule = Callable[[str, dict[str, Any], Parameters], str]
# Column map expectations: the SQL of "this non-missing value is unexpected".
_COLUMN_MAP: dict[str, Rule] = {
    "expect_column_values_to_match_regex": lambda c, kw, _: (
        f"NOT regexp_matches({c}, {sql_literal(_python_regex(kw['regex']))})"
    ),
    "expect_column_values_to_be_in_set": lambda c, kw, p: f"{c} NOT IN {_value_set(kw, p)}",
    "expect_column_values_to_be_between": lambda c, kw, _: _between(c, kw),
}
_KNOWN_KWARGS = {"column", "column_list", "column_A", "column_B", "row_condition", "condition_parser", "mostly"}
_TYPE_KWARGS = {
    "expect_column_values_to_match_regex": {"regex"},
    "expect_column_values_to_be_in_set": {"value_set"},
    "expect_column_values_to_be_between": {"min_value", "max_value", "strict_min", "strict_max"},
    "expect_compound_columns_to_be_unique": {"ignore_row_if"},
    "expect_column_pair_values_to_be_equal": {"ignore_row_if"},
}
SUPPORTED_TYPES = frozenset(
    {
        *_COLUMN_MAP,
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_column_pair_values_to_be_equal",
    }
)


def compile_expectation(index: int, e: dict[str, Any], params: Parameters | None = None) -> Compiled:
    """Translate one GX expectation dict; raises UnsupportedExpectation for anything not implemented."""
    params = params or {}
    t, kw = e["type"], e["kwargs"]
    if t not in SUPPORTED_TYPES:
        raise UnsupportedExpectation(f"{t} is not implemented by the DuckDB translator")
    extra = set(kw) - _KNOWN_KWARGS - _TYPE_KWARGS.get(t, set())
    if extra:
        raise UnsupportedExpectation(f"{t}: kwargs {sorted(extra)} are not implemented")
    where = condition_sql(kw.get("row_condition"))
    if t == "expect_compound_columns_to_be_unique":
        cols = [column_sql(c) for c in kw["column_list"]]
        ignore = kw.get("ignore_row_if", "all_values_are_missing")
        if ignore == "all_values_are_missing":
            keep = " OR ".join(f"{c} IS NOT NULL" for c in cols)
        elif ignore == "any_value_is_missing":
            keep = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        elif ignore == "never":
            keep = "true"
        else:
            raise UnsupportedExpectation(f"ignore_row_if {ignore!r}")
        return Compiled(index, e, where, f"NOT ({keep})", None, tuple(cols))
    if t == "expect_column_pair_values_to_be_equal":
        a, b = column_sql(kw["column_A"]), column_sql(kw["column_B"])
        ignore = kw.get("ignore_row_if", "both_values_are_missing")
        keep = {
            "both_values_are_missing": f"({a} IS NOT NULL OR {b} IS NOT NULL)",
            "either_value_is_missing": f"({a} IS NOT NULL AND {b} IS NOT NULL)",
            "neither": "true",
        }.get(ignore)
        if keep is None:
            raise UnsupportedExpectation(f"ignore_row_if {ignore!r}")
        return Compiled(index, e, where, f"NOT {keep}", f"coalesce({a} <> {b}, true)")
    col = column_sql(kw["column"])
    if t == "expect_column_values_to_not_be_null":
        return Compiled(index, e, where, "false", f"{col} IS NULL", nulls_of=col)
    if t == "expect_column_values_to_be_null":
        return Compiled(index, e, where, "false", f"{col} IS NOT NULL")
    if t == "expect_column_values_to_be_unique":
        return Compiled(index, e, where, f"{col} IS NULL", None, (col,))
    return Compiled(index, e, where, f"{col} IS NULL", _COLUMN_MAP[t](col, kw, params))


def compile_suite(suite: dict[str, Any], params: Parameters | None = None) -> list[Compiled]:
    return [compile_expectation(i, e, params) for i, e in enumerate(suite["expectations"])]


def aggregate_sql(compiled: list[Compiled], relation: str, weight: str | None = None) -> str:
    """One scan of `relation` giving, per expectation i: d_i (domain rows), m_i (missing among them)
    and u_i (unexpected among the non-missing); for a uniqueness expectation k_i instead (no key repeats:
    `keys_all_distinct`), as its unexpected rows need a count of their own when a key does repeat.

    With `weight`, each row of `relation` stands for `weight` rows (a distinct value and its row count,
    `distinct_values_sql`) and the counts are sums of it; there is no total `n` then."""
    rows = "count(*)" if weight is None else f"sum({weight})"
    items = ["count(*) AS n"] if weight is None else []
    for c in compiled:
        items += [
            f"{_counted(rows, c.domain)} AS d_{c.index}",
            f"{'0' if c.missing == 'false' else _counted(rows, c.domain + ' AND ' + c.missing)} AS m_{c.index}",
        ]
        if c.is_uniqueness:
            if weight is None:  # in the same scan as the others: the key column is read once
                items.append(f"{keys_all_distinct(c)} AS k_{c.index}")
            continue
        if weight is None and c.nulls_of and c.domain == "true":
            # count(column) reads only the validity mask, not the values
            items += [f"count(*) - count({c.nulls_of}) AS u_{c.index}"]
        else:
            items += [f"{_counted(rows, f'{c.domain} AND NOT ({c.missing}) AND {c.unexpected}')} AS u_{c.index}"]
    return f"SELECT {', '.join(items)} FROM {relation}"


def _counted(rows: str, where: str) -> str:
    """`rows` where `where` holds: count(*) or sum(weight), never NULL."""
    if where == "true":
        return rows if rows == "count(*)" else f"coalesce({rows}, 0)"
    return f"coalesce({rows} FILTER (WHERE {where}), 0)"


def rule_of(c: Compiled) -> str | None:
    """What besides its value decides a row's verdict under column map expectation `c`: its type and the
    kwargs that are not its column, row_condition or mostly (those choose the rows and judge the counts).
    None for the expectations whose verdict is not a function of one value (uniqueness, nulls, pairs)."""
    e = c.expectation
    if e["type"] not in _COLUMN_MAP:
        return None
    rule = {k: v for k, v in e["kwargs"].items() if k not in ("column", "row_condition", "condition_parser", "mostly")}
    return json.dumps([e["type"], rule], sort_keys=True)


def same_rule_pairs(compiled: list[Compiled]) -> list[tuple[Compiled, Compiled]]:
    """Every pair (earlier, later) of column map expectations with the same rule on their columns (the
    timestamps of a record, each matched against the same regex)."""
    by_rule: dict[str, list[Compiled]] = {}
    for c in compiled:
        if (rule := rule_of(c)) is not None:
            by_rule.setdefault(rule, []).append(c)
    return [(a, b) for group in by_rule.values() for i, a in enumerate(group) for b in group[i + 1 :]]


def value_sql(c: Compiled) -> str:
    """The value a column map expectation judges."""
    return column_sql(c.expectation["kwargs"]["column"])


def sharing_verdicts(compiled: list[Compiled], relation: str, same_as: dict[int, int]) -> tuple[list[Compiled], str]:
    """The same counts for fewer evaluations of a rule: where the value of expectation b equals that of
    expectation a = same_as[b] under the same rule (`same_rule_pairs`), b takes a's verdict on it instead
    of evaluating its own (a record never modified since it was created has SystemModstamp = CreatedDate,
    and a timestamp regex costs DuckDB about 60 ns a value; the comparison a few).

    Exact: the verdict is a function of the value alone. a's verdicts are computed once, in a projection
    under b's (an aggregate FILTER would evaluate them again), and only where a judges its row (its
    row_condition holds, its value is not missing); elsewhere b evaluates its own. Returns the
    expectations with `unexpected` read from a column of the returned relation."""
    if not same_as:
        return compiled, relation
    by_index = {c.index: c for c in compiled}
    sources = sorted(set(same_as.values()))

    def judged(c: Compiled, verdict: str) -> str:
        return f"CASE WHEN {c.domain} AND NOT ({c.missing}) THEN {verdict} END AS _unexpected_{c.index}"

    own = ", ".join(judged(by_index[a], by_index[a].unexpected) for a in sources)
    taken = ", ".join(
        judged(
            b,
            f"CASE WHEN {value_sql(b)} = {value_sql(a)} AND _unexpected_{a.index} IS NOT NULL "
            f"THEN _unexpected_{a.index} ELSE {b.unexpected} END",
        )
        for b, a in ((by_index[i], by_index[j]) for i, j in sorted(same_as.items()))
    )
    moved = {*sources, *same_as}
    return (
        [replace(c, unexpected=f"_unexpected_{c.index}") if c.index in moved else c for c in compiled],
        f"(SELECT *, {taken} FROM (SELECT *, {own} FROM {relation}))",
    )


def raw_columns(e: dict[str, Any]) -> tuple[str, ...]:
    """The delivered (or lineage) columns whose values decide expectation `e`, quoted, in first-use order."""
    cols = ["_source_file" if c == FILE_WAVE else base_column(c) for c in expectation_columns(e)]
    return tuple(quote(c) for c in dict.fromkeys(cols))


def distinct_values_sql(relation: str, columns: tuple[str, ...]) -> str:
    """Each distinct combination of `columns` in `relation` once, with its row count `_n`."""
    cols = ", ".join(columns)
    return f"(SELECT {cols}, count(*) AS _n FROM {relation} GROUP BY {cols})"


def duplicates_sql(c: Compiled, relation: str, select: str = "*") -> str:
    """The rows of `relation` in the domain of uniqueness expectation `c` whose key occurs more than once."""
    keys = ", ".join(c.keys)
    return (
        f"SELECT {select} FROM (SELECT *, count(*) OVER (PARTITION BY {keys}) AS _key_rows "
        f"FROM {relation} WHERE {c.domain} AND NOT ({c.missing})) WHERE _key_rows > 1"
    )


def duplicate_count_sql(c: Compiled, relation: str) -> str:
    """The number of rows whose key repeats, for uniqueness expectation `c`."""
    return f"SELECT count(*) FROM ({duplicates_sql(c, relation, 'NULL')})"


def keys_all_distinct(c: Compiled) -> str:
    """The aggregate that is true when no key of uniqueness expectation `c` repeats, false when one may (then
    `duplicate_count_sql` counts). A DISTINCT count needs no window over the rows (15 M call ids: 1.4 s against
    2.2 s), so it answers the usual case; counting distinct 64-bit hashes of the keys rather than the keys
    themselves saves another 0.4 s there. Still exact: equal keys hash alike, so all-distinct hashes prove
    all-distinct keys, and a collision only sends the batch to the exact count, which finds no repeat.
    Only the judged rows count (a NULL single key is missing, not judged); a struct key is never NULL itself
    and groups NULL parts as equal, as the window's PARTITION BY does."""
    key = c.keys[0] if len(c.keys) == 1 else "row(" + ", ".join(c.keys) + ")"
    judged = f"{c.domain} AND NOT ({c.missing})"
    return f"count(*) FILTER (WHERE {judged}) = count(DISTINCT hash({key})) FILTER (WHERE {judged})"


def unexpected_rows_sql(c: Compiled, relation: str, select: str) -> str:
    """The unexpected rows of expectation `c` (any type), selecting `select`."""
    if c.is_uniqueness:
        return duplicates_sql(c, relation, select)
    return f"SELECT {select} FROM {relation} WHERE {c.domain} AND NOT ({c.missing}) AND {c.unexpected}"


def targets_sql(e: dict[str, Any]) -> list[str]:
    """The SQL of the values an expectation tests, as delivered (`Amount`, not `Amount::number`), in
    order: what an example shows."""
    return [quote(base_column(c)) if c.endswith(NUMBER_SUFFIX) else column_sql(c) for c in target_columns(e)]


def gx_success(e: dict[str, Any], element: int, missing: int, unexpected: int) -> bool:
    """GX's verdict from the counts: vacuously true with nothing to judge, else the `mostly` ratio."""
    considered = element - missing
    if element == 0 or considered == 0:
        return True
    mostly = e["kwargs"].get("mostly", 1.0)
    return (considered - unexpected) / considered >= mostly
