"""The dbt project builds on DuckDB and on Spark: a lint (no engine needed) for SQL known not to port.

Every model, macro and test (`.sql`), and the SQL inside the ymls (test expressions, column expressions,
`where` configs) and their contract types, is read with Jinja comments, SQL comments and string literals
taken out; the bodies of engine-specific macros (`duckdb__…`, `spark__…`, `default__…`, the adapter.dispatch
implementations) are exempt: that is where such constructs belong (dbt_project/macros/portable/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from pipelines.config import DBT_PROJECT_DIR

SQL_FOLDERS = ("models", "macros", "tests")

# (construct, pattern in SQL text, what to write instead)
NOT_PORTABLE: tuple[tuple[str, str, str], ...] = (
    (
        'a double-quoted identifier ("User ID")',
        r'"',
        "adapter.quote('User ID') (Spark reads \"User ID\" as the string 'User ID', silently)",
    ),
    ("select * exclude (...)", r"\bexclude\s*\(", "{{ star_except([...]) }}"),
    ("the type varchar", r"\bvarchar\b", "string"),
    ("strptime / try_strptime", r"strptime\s*\(", "{{ try_parse_datetime(text, formats) }}"),
    ("generate_series / range as a table", r"\b(generate_series|range)\s*\(", "{{ lateral_series(...) }}"),
    ("isodow / dayofweek", r"\b(isodow|dayofweek|weekday)\s*\(", "{{ iso_day_of_week(day) }}"),
    (
        "regexp_matches / regexp_full_match",
        r"\b(regexp_matches|regexp_full_match)\s*\(",
        "an adapter.dispatch macro (Spark: rlike)",
    ),
    ("a :: cast", r"::", "cast(x as type)"),
    (
        "try_cast(... as date|timestamp)",
        r"try_cast\s*\((?:[^()]|\([^()]*\))*\bas\s+(date|timestamp)\s*\)",
        "{{ try_cast_date(text) }} / {{ try_cast_timestamp(text) }} (Spark's casts read '2026-11' as a date)",
    ),
    ("qualify", r"\bqualify\b", "a ranked subquery"),
    (
        "a DuckDB-only function",
        r"\b(list_\w+|struct_pack|string_agg|arg_max|arg_min|epoch|epoch_ms|strftime|"
        r"date_diff|datediff|date_part|datepart|date_add|date_sub|last_day|make_date|today|ifnull|len|list)\s*\(",
        "dbt's cross-database macros (dbt.datediff, dbt.dateadd, ...) or an adapter.dispatch macro",
    ),
    ("an integer division operator", r"//", "cast(x as double) / y"),
)
QUOTED_IDENTIFIER = NOT_PORTABLE[0][0], NOT_PORTABLE[0][2]
# In a model's config (Jinja): Spark without Delta or Iceberg has no delete+insert.
INCREMENTAL_STRATEGY = (
    "the delete+insert incremental strategy",
    "delete+insert",
    "{{ config(**latest_version_config(key)) }} (Spark: insert_overwrite)",
)
# Types a contract may name: both engines read them alike (DuckDB's `string` is its VARCHAR).
PORTABLE_TYPES = re.compile(r"^(string|integer|int|bigint|double|boolean|date|timestamp|decimal\(\d+, ?\d+\))$")
# Keys of a yml whose string values are SQL.
SQL_KEYS = {"expression", "column_name", "where", "sql"}


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    construct: str
    instead: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.construct}; write {self.instead}"


def _blank(match: re.Match) -> str:
    """The match as spaces, its line breaks kept, so that line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


ENGINE_MACRO = re.compile(r"\{%-?\s*macro\s+(duckdb|spark|default)__\w+.*?\{%-?\s*endmacro\s*-?%\}", re.DOTALL)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
JINJA_BLOCK = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
SQL_COMMENT = re.compile(r"--[^\n]*")
SQL_STRING = re.compile(r"'(?:[^']|'')*'")
# The string literals of Jinja code, left to right; a single-quoted one that holds a double quote is a
# double-quoted identifier on its way into the SQL: '"Id"', or '"' ~ f ~ '_Rating__c"'.
JINJA_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")


def lint_sql(text: str, where: str) -> list[Finding]:
    """Findings in one SQL file (a model, macro or test) or one SQL snippet of a yml."""
    text = JINJA_COMMENT.sub(_blank, text)
    text = ENGINE_MACRO.sub(_blank, text)
    findings = []
    for block in JINJA_BLOCK.finditer(text):
        line = text.count("\n", 0, block.start()) + 1
        if any(lit.group(0)[0] == "'" and '"' in lit.group(0) for lit in JINJA_STRING.finditer(block.group(0))):
            findings.append(Finding(where, line, *QUOTED_IDENTIFIER))
        if INCREMENTAL_STRATEGY[1] in block.group(0):
            findings.append(Finding(where, line, INCREMENTAL_STRATEGY[0], INCREMENTAL_STRATEGY[2]))
    sql = JINJA_BLOCK.sub(_blank, text)
    sql = SQL_COMMENT.sub(_blank, sql)
    sql = SQL_STRING.sub(_blank, sql)
    for construct, pattern, instead in NOT_PORTABLE:
        for match in re.finditer(pattern, sql, re.IGNORECASE):
            findings.append(Finding(where, sql.count("\n", 0, match.start()) + 1, construct, instead))
    return findings


def _walk(node, path: str = ""):
    """(path, key, value) of every mapping entry of a parsed yml, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, key, value
            yield from _walk(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def lint_yml(text: str, where: str) -> list[Finding]:
    """Findings in one yml: the SQL of test arguments and configs, and the contract types."""
    findings = []
    for path, key, value in _walk(yaml.safe_load(text) or {}):
        if not isinstance(value, str):
            continue
        if key == "data_type" and not PORTABLE_TYPES.match(value.strip().lower()):
            findings.append(
                Finding(
                    f"{where} {path}",
                    0,
                    f"the contract type {value!r}",
                    "string, integer, bigint, double, boolean, date, timestamp or decimal(p, s)",
                )
            )
        elif key in SQL_KEYS:
            findings += [Finding(f"{where} {path}", 0, f.construct, f.instead) for f in lint_sql(value, where)]
    return findings


def lint_project(project_dir: Path = DBT_PROJECT_DIR) -> list[Finding]:
    findings = []
    for folder in SQL_FOLDERS:
        for path in sorted((project_dir / folder).rglob("*")):
            where = str(path.relative_to(project_dir))
            if path.suffix == ".sql":
                findings += lint_sql(path.read_text(encoding="utf-8"), where)
            elif path.suffix in (".yml", ".yaml"):
                findings += lint_yml(path.read_text(encoding="utf-8"), where)
    return findings


def test_every_model_macro_and_test_is_portable_to_spark():
    findings = lint_project()
    assert not findings, "SQL that does not port to Spark:\n" + "\n".join(map(str, findings))


@pytest.mark.parametrize(
    "sql",
    [
        """select {{ clean_text('"User ID"') }} as user_id from raw""",
        """select "User ID" from raw""",
        """{%- for f in fields %}{{ parse_rating('"' ~ f ~ '_Rating__c"') }}{% endfor %}""",
        "select * exclude (_rank) from ranked",
        "select cast(n as varchar) from t",
        "select try_strptime(d, '%m/%d/%Y') from t",
        "select * from generate_series(1, 3) as gs(n)",
        "select isodow(day) from days",
        "select * from t where regexp_matches(name, '^a')",
        "{{ config(materialized='incremental', incremental_strategy='delete+insert') }} select 1",
        "select d::date from t",
        "select try_cast(trim(d) as date) from t",
        "select * from t qualify row_number() over (partition by k) = 1",
        "select date_diff('day', a, b) from t",
        "select a // b from t",
    ],
)
def test_the_lint_finds_each_construct_known_not_to_port(sql):
    assert lint_sql(sql, "model.sql"), sql


@pytest.mark.parametrize(
    "sql",
    [
        "select {{ clean_text(adapter.quote('User ID')) }} as user_id from raw",
        "select {{ star_except(['_rank']) }} from ranked",
        '-- isodow(day) and "quotes" in a comment\nselect 1',
        "{# select * exclude (x) in a Jinja comment #} select 1",
        "select 'a \"quoted\" varchar in a string, it''s fine' as reason",
        "select cast(n as string), {{ dbt.datediff('a', 'b', 'day') }} from t",
        "{% macro duckdb__iso_day_of_week(day) -%} isodow({{ day }}) {%- endmacro %}",
        "{% macro spark__star_except(columns) -%} * except ({{ columns | join(', ') }}) {%- endmacro %}",
    ],
)
def test_the_lint_lets_portable_sql_and_engine_macros_pass(sql):
    assert not lint_sql(sql, "model.sql"), lint_sql(sql, "model.sql")


def test_the_lint_reads_the_sql_and_the_contract_types_of_a_yml():
    yml = """
models:
  - name: m
    data_tests:
      - unique:
          arguments: {column_name: "employee_id || '|' || cast(effective_date as varchar)"}
    columns:
      - name: employee_id
        description: a varchar in prose is fine
        data_type: varchar
      - name: month
        data_type: date
"""
    findings = lint_yml(yml, "m.yml")
    assert sorted(f.construct for f in findings) == ["the contract type 'varchar'", "the type varchar"]
