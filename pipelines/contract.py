"""Generate the files that restate the export contract from its one declaration, `pipelines/sources.py`.

    python -m pipelines.contract           # rewrite every generated file
    python -m pipelines.contract --check   # exit 1 and name the stale files, write nothing

What is generated from what:

- `expectations/<raw_table>.json`: the STRUCTURAL expectations of each GX suite, in column order: required
  (not null; `required="live"` only where IsDeleted = 'false', `"counted"` only on live coaching reports with a
  counted status), the format's regex (and `mostly`; a date's regex admits real calendar days only), key
  uniqueness (single or compound, and `also_unique`), the vocabulary, the numeric range on `<column>::number`.
  Each carries `meta.origin = "generated from pipelines/sources.py"`.
  Expectations with `meta.origin = "hand-written"` (conditional and cross-file rules) are kept as they are,
  after the generated ones, in their order; so is nothing else (a generated expectation edited by hand
  is overwritten, and the staleness test says so first). The suite's `meta.notes` is `SourceFile.notes`.
- `dbt_project/models/staging/_sources.yml`: the raw source and its tables, their columns with descriptions,
  one `usable_values` test per table (`raw_<table>__usable`: the raw_not_null columns are filled, the
  castable ones parse). It looks at the newest load only (`where` config): the gate has validated every
  batch before committing it, so a nightly build re-reads one batch, never the history.
- `dbt_project/macros/generated/export_contract.sql`: the declaration's values the dbt models use too
  (`counted_report_statuses()`, the statuses with which a coaching report counts as a session).
- `docs/export-contract.md`: the human page (files, columns, formats, vocabularies, keys, quirks, what
  the gate refuses and what it only warns about), from the declaration and the suites as generated.

`tests/test_contract_generated.py` fails when a committed file differs from what this module renders.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from pipelines.config import PROJECT_ROOT
from pipelines.landing.zone import MANIFEST_SETTLE_SECONDS
from pipelines.sources import (
    COUNTED_STATUSES,
    LINEAGE_COLUMNS,
    LINEAGE_DESCRIPTIONS,
    RAW_SCHEMA,
    SOURCE_FILES,
    Column,
    SourceFile,
)

GENERATED = "generated from pipelines/sources.py"
HAND_WRITTEN = "hand-written"
ORIGINS = (GENERATED, HAND_WRITTEN)
GX_VERSION = "1.24.1"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SOURCES_YML = PROJECT_ROOT / "dbt_project" / "models" / "staging" / "_sources.yml"
DOCS_PAGE = PROJECT_ROOT / "docs" / "export-contract.md"
NOT_BLANK_RULE = "required: not spaces only"  # a filled value, whatever its shape
CONTRACT_MACROS = PROJECT_ROOT / "dbt_project" / "macros" / "generated" / "export_contract.sql"
LIVE = {"type": "comparison", "column": {"name": "IsDeleted"}, "operator": "==", "parameter": "false"}
COUNTED = {
    "type": "and",
    "conditions": [
        LIVE,
        {"type": "comparison", "column": {"name": "Status__c"}, "operator": "IN", "parameter": list(COUNTED_STATUSES)},
    ],
}
ROW_CONDITIONS = {"live": LIVE, "counted": COUNTED}  # the rows on which a sometimes-required column is required


# ── GX suites ────────────────────────────────────────────────────────────────────────────────────────


def _exp(type_: str, kwargs: dict[str, Any], rule: str, severity: str = "error") -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "meta": {"rule": rule, "severity": severity, "origin": GENERATED}}


def _uniqueness(cols: tuple[str, ...]) -> dict[str, Any]:
    if len(cols) == 1:
        return _exp("expect_column_values_to_be_unique", {"column": cols[0]}, "unique within the batch")
    return _exp("expect_compound_columns_to_be_unique", {"column_list": list(cols)}, "unique within the batch")


def _column_expectations(f: SourceFile, c: Column) -> list[dict[str, Any]]:
    out = []
    if c.required:
        kw: dict[str, Any] = {"column": c.name}
        if c.required in ROW_CONDITIONS:
            kw["row_condition"] = copy.deepcopy(ROW_CONDITIONS[c.required])
        out.append(_exp("expect_column_values_to_not_be_null", kw, "required"))
        shaped = (c.format is not None and c.format.severity == "error") or (c.values and c.values_severity == "error")
        if not shaped:
            # Staging reads a value of spaces only as empty (clean_text), and its not-null tests would then fail the
            # whole dbt build: such a value is refused here, with the batch, as the empty field it is.
            blank = {**copy.deepcopy(kw), "regex": "\\S"}
            out.append(_exp("expect_column_values_to_match_regex", blank, NOT_BLANK_RULE))
    if c.format is not None:
        kw = {"column": c.name, "regex": c.format.regex}
        if c.mostly is not None:
            kw["mostly"] = c.mostly
        out.append(_exp("expect_column_values_to_match_regex", kw, c.format.rule, c.format.severity))
    # A key is checked once its last column has been described.
    for cols in (f.key, *f.also_unique):
        if cols and max(f.columns.index(k) for k in cols) == f.columns.index(c.name):
            out.append(_uniqueness(cols))
    if c.values:
        kw = {"column": c.name, "value_set": list(c.values)}
        out.append(_exp("expect_column_values_to_be_in_set", kw, c.values_rule, c.values_severity))
    if c.range is not None:
        kw = {"column": f"{c.name}::number"}
        if c.range.min is not None:
            kw["min_value"] = c.range.min
        if c.range.max is not None:
            kw["max_value"] = c.range.max
        if c.range.strict_min:
            kw["strict_min"] = True
        out.append(_exp("expect_column_values_to_be_between", kw, c.range.rule))
    if c.personal:  # its checks name rows, never values (quality.suites.is_personal)
        for e in out:
            e["meta"]["personal"] = True
    return out


def generated_expectations(f: SourceFile) -> list[dict[str, Any]]:
    """The structural expectations of `f`'s suite, as the declaration says them."""
    return [e for c in f.fields for e in _column_expectations(f, c)]


def hand_written(suite: dict[str, Any]) -> list[dict[str, Any]]:
    """The expectations of a committed suite marked `meta.origin = hand-written`."""
    return [e for e in suite.get("expectations", []) if e.get("meta", {}).get("origin") == HAND_WRITTEN]


def render_suite(f: SourceFile, committed: dict[str, Any] | None) -> str:
    """The suite of `f`: generated expectations, then the hand-written ones of the committed file."""
    suite = {
        "name": f.raw_table,
        "expectations": generated_expectations(f) + hand_written(committed or {}),
        "meta": {
            "great_expectations_version": GX_VERSION,
            "source_contract": "docs/export-contract.md",
            "generated_from": "pipelines/sources.py: python -m pipelines.contract (keeps hand-written expectations)",
            "notes": f.notes,
        },
    }
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def _committed_suite(f: SourceFile, folder: Path) -> dict[str, Any] | None:
    path = folder / f"{f.raw_table}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


# ── dbt sources ──────────────────────────────────────────────────────────────────────────────────────


def _newest_load(f: SourceFile) -> str:
    table = f"{RAW_SCHEMA}.{f.raw_table}"
    return f"_loaded_at = (select max(_loaded_at) from {table})"


def _dbt_column(c: Column) -> dict[str, Any]:
    description = c.description or f"`{c.name}` as delivered (text)" + (
        f"; must parse as {c.castable}." if c.castable else "."
    )
    return {"name": c.name, "quote": True, "description": description}


def _usable_test(f: SourceFile) -> dict[str, Any] | None:
    """The table's one `usable_values` test: its raw_not_null columns and castable kinds, newest load only."""
    arguments: dict[str, Any] = {}
    not_null = [c.name for c in f.fields if c.raw_not_null]
    castable = {c.name: c.castable for c in f.fields if c.castable}
    if not_null:
        arguments["not_null"] = not_null
    if castable:
        arguments["castable"] = castable
    if not arguments:
        return None
    return {
        "usable_values": {
            "name": f"{RAW_SCHEMA}_{f.raw_table}__usable",
            "arguments": arguments,
            "config": {"where": _newest_load(f)},
        }
    }


def _dbt_table(f: SourceFile) -> dict[str, Any]:
    t: dict[str, Any] = {
        "name": f.raw_table,
        "description": (
            f"{f.description} {f.kind.capitalize()} delivery of {f.system} file {f.name}.{'|'.join(f.formats)}; "
            "append-only across batches."
        ),
        "meta": {"dagster": {"asset_key": [RAW_SCHEMA, f.raw_table]}},
    }
    if not f.nightly:
        t["config"] = {"freshness": None}
    usable = _usable_test(f)
    if usable:
        t["data_tests"] = [usable]
    t["columns"] = [_dbt_column(c) for c in f.fields] + [
        {"name": n, "description": LINEAGE_DESCRIPTIONS[n]} for n, _ in LINEAGE_COLUMNS
    ]
    return t


SOURCES_HEADER = """\
# GENERATED from pipelines/sources.py by `python -m pipelines.contract`: do not edit, edit the declaration.
# Freshness warns only (an alert, never a refusal); the survey arrives per wave, so it has none.
# Each table's usable_values test (raw_<table>__usable) stops the build on a value staging could not use:
# a required column empty, or a value that does not parse as its kind. The landing gate has already
# validated every batch against its GX suite before committing it (each of these rules has an error-level
# expectation there), so it looks at the newest load only (config `where`): a nightly build never
# re-reads the history.
"""


def render_sources() -> str:
    doc = {
        "version": 2,
        "sources": [
            {
                "name": RAW_SCHEMA,
                "schema": RAW_SCHEMA,
                "description": (
                    "Raw exports as loaded by the ingestion (pipelines.sources): every delivered column as VARCHAR "
                    "under its delivered name, plus lineage columns. Append-only: every batch's rows accumulate."
                ),
                "config": {
                    "loaded_at_field": "_loaded_at",
                    "freshness": {"warn_after": {"count": 36, "period": "hour"}},
                },
                "tables": [_dbt_table(f) for f in SOURCE_FILES],
            }
        ],
    }
    body = yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True, default_flow_style=False)
    return SOURCES_HEADER + body


def render_macros() -> str:
    """The values of the declaration that the dbt models use as well, as dbt macros: one definition for the gate
    and the models."""
    statuses = ", ".join(f"'{s}'" for s in COUNTED_STATUSES)
    return (
        "{#- GENERATED from pipelines/sources.py by `python -m pipelines.contract`: do not edit, edit the "
        "declaration. -#}\n\n"
        "{#- The Status__c values with which a coaching report counts as a session (COUNTED_STATUSES), as a SQL "
        "list:\n    `where status in {{ counted_report_statuses() }}`. -#}\n"
        "{% macro counted_report_statuses() -%}\n"
        f"({statuses})\n"
        "{%- endmacro %}\n"
    )


# ── the human page ───────────────────────────────────────────────────────────────────────────────────


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _column_row(f: SourceFile, c: Column) -> str:
    fmt = ""
    if c.format is not None:
        fmt = c.format.rule
        if c.mostly is not None:
            fmt += f"; {c.mostly:.0%} of filled values"
        if c.format.severity == "warn":
            fmt += " — warn"
    allowed = _values(c.values) if c.values else ""
    if c.values and c.values_severity == "warn":
        allowed += " — warn"
    if c.range is not None:
        allowed = (allowed + "; " if allowed else "") + c.range.rule
    required = {True: "yes", "live": "unless a tombstone", "counted": "on a counted session", False: ""}[c.required]
    key = "key" if c.name in f.key else ""
    dbt = f"`{c.castable}`" if c.castable else ""
    cells = [f"`{c.name}`", required, _md(fmt), _md(allowed), key, dbt]
    return "| " + " | ".join(cells) + " |"


def _rule_words(e: dict[str, Any]) -> str:
    kw = e["kwargs"]
    target = kw.get("column") or " + ".join(kw.get("column_list", [])) or f"{kw.get('column_A')} = {kw.get('column_B')}"
    cond = kw.get("row_condition")
    where = ""
    if cond:
        op = {"==": "=", "!=": "≠"}.get(cond["operator"], cond["operator"])
        where = f" where `{cond['column']['name']}` {op} `{cond['parameter']}`"
    return f"`{target}`{where}: {_md(e['meta']['rule'])}"


def render_docs(suites: dict[str, dict[str, Any]]) -> str:
    out = [
        "# The export contract",
        "",
        "<!-- GENERATED from pipelines/sources.py by `python -m pipelines.contract`: edit the declaration, then",
        "     regenerate; tests/test_contract_generated.py fails when this page is stale. -->",
        "",
        "What the customer's systems deliver every night, and what the landing gate accepts. The declaration",
        "is `pipelines/sources.py`; the GX suites in `expectations/` (their structural part) and the dbt sources",
        "(`dbt_project/models/staging/_sources.yml`) are generated from it, as is this page.",
        "",
        "## Landing zone and batches",
        "",
        "```",
        "<landing>/<system>/<extract-date>/   one folder per batch (YYYY-MM-DD: the night the extract ran)",
        "  the system's files (below)         manifest.json, written last:",
        '  {"system": "crm", "extract_date": "2026-11-26", "files": {"User.csv": {"rows": 4512, "sha256": "…"}}}',
        "```",
        "",
        "- A folder without `manifest.json` is still being copied: the gate waits for it. So it does while the",
        f"  manifest is no JSON yet and was written less than {MANIFEST_SETTLE_SECONDS // 60} minutes ago (a copy that "
        "stalled mid-file; its time may be as far ahead of the gate's clock);",
        "  after that it is refused as unreadable.",
        "- **snapshot**: the whole table every night (the latest extract date is the truth); **delta**: rows",
        "  created or changed since the last extract, deletions as tombstones (`IsDeleted = true`).",
        "- CSV files are UTF-8 (a byte-order mark may lead), comma separated, RFC 4180 quoting (a quoted field may",
        "  hold commas, quotes and line breaks). An empty field is null. HRIS files may come as an Excel workbook",
        "  (first sheet); its date cells become `MM/DD/YYYY` text, so both forms are checked alike.",
        "- The same batch delivered twice loads once; a late batch for an older date loads, and the latest",
        "  version of a record wins by its own modification stamp, not by arrival. Every loaded file is archived,",
        "  and every raw row keeps its batch, file and row number (lineage columns below).",
        "",
        "| system | file | kind | raw table | key (unique within a batch) | also unique |",
        "|---|---|---|---|---|---|",
    ]
    for f in SOURCE_FILES:
        also = "; ".join(", ".join(cols) for cols in f.also_unique)
        out.append(
            f"| {f.system} | `{_md(f.file_pattern)}` | {f.kind} | `raw.{f.raw_table}` | {', '.join(f.key)} | {also} |"
        )
    out += [
        "",
        "## What the gate refuses, and what it only reports",
        "",
        "A batch is checked in this order, and the first failure refuses it whole: it moves to",
        "`quarantine/<system>/<date>/` with a `REJECTED.md` naming the file, the row and column, the values and",
        "the rule; nothing of it reaches `raw`. The other systems' batches still load.",
        "",
        "1. **The batch**: a folder name that is no date, a symbolic link anywhere in it, an unreadable manifest or",
        "   one that disagrees with its folder, a file missing from or not listed in the manifest, a file type",
        "   missing or delivered twice, a checksum or row count that differs from the manifest, a changed file",
        "   under a batch name that already loaded, a survey file whose name holds no wave (`responses_<wave>.csv`).",
        "2. **The format**: a header that lacks a column below, adds one or repeats one, invalid UTF-8, a NUL byte,",
        "   a row with the wrong number of fields, a truncated file, an invalid workbook cell. A snapshot file",
        "   without rows loads (with a warning) where it replaces nothing (its first delivery, or a late one older",
        "   than the latest with rows), and is refused where it would be the newest delivery after rows (staging",
        "   takes a snapshot's truth from its latest rows, so it could not replace them). A survey file is the",
        "   snapshot of its wave only: a wave nobody answered loads, unless responses of that wave loaded before.",
        "   A batch that brings no row at all does not move the as-of date, which the marts read from the rows.",
        "   Lines may end in LF or CRLF; a file that mixes the two in its first records (a header written apart from",
        "   its rows) loads, with a warning, as if every CRLF were an LF.",
        "   The columns may come in any order: the gate loads them by name (an export's order follows the query or",
        "   report that made it); the tables below list them in the order the sample generator writes. A CRM",
        "   header matches in any letter case (Salesforce API names are case-insensitive, and Data Loader writes them",
        "   as the query typed them, or in capitals); the other systems' headers match exactly.",
        "3. **The contract** (the GX suite of the file, validated inside DuckDB on the loaded rows before they",
        "   are committed): an `error` expectation that fails refuses the batch; a `warn` one lets it load and is",
        "   reported (the `source_contract` check, `coachwh run`'s summary, `coachwh check`). Every result is",
        "   stored in `ops.validation_results`.",
        "",
        "A batch found bad after it loaded: `coachwh retract SYSTEM/DATE --reason TEXT` takes its rows out of raw;",
        "a corrected redelivery of that date can then load. The very files retracted, delivered again, are refused",
        "(rule `the very files of a retracted delivery`; the refusal says how to withdraw a mistaken retraction).",
        "",
        "Conventions of the contract: required fields are not null (on delta files, business fields are",
        "required only on rows that are not tombstones, and a coaching report's date, coach and coachee only",
        "once it counts as a session: a Draft may not have them yet); formats are checked by pattern, a date's",
        "pattern admitting real calendar days only (02/30/2026 is refused); a vocabulary is exact (case and",
        "spaces count); numeric ranges are checked on the value cast to a number; keys are unique within a",
        "batch, over all its rows, as delivered. Two spellings of one key in a snapshot (Employee ID `1006` and",
        "`001006`, currency `EUR` and `eur`) pass the gate; staging reads them as one and keeps one row (the later",
        "of the file, for CRM users and quotas the later modified), and the WARN check `<staging model>__rows_kept`",
        "names the file, row and key of each row it did not keep.",
        *(
            f"A {'/'.join(f.key)} of `{_md(f.file_pattern)}` keeps its {f.key_keeps} in every batch: a later batch may "
            f"deliver it again, but one that names it with another {f.key_keeps} is refused (checked against raw at "
            "the gate, rule `key already loaded with another value`)."
            for f in SOURCE_FILES
            if f.key_keeps
        ),
        "",
    ]
    for f in SOURCE_FILES:
        suite = suites[f.raw_table]
        out += [
            f"## {f.system} / `{f.file_pattern}`",
            "",
            f"{f.description} {f.kind.capitalize()}; lands in `raw.{f.raw_table}`"
            + (f"; {f.header_rows} header rows (data starts on row {f.header_rows + 1})" if f.header_rows > 1 else "")
            + (f"; also as {', '.join(f.formats[1:])}" if len(f.formats) > 1 else "")
            + ".",
            "",
            f"Quirks: {f.notes}",
            "",
            *(f"- {q}" for q in f.meaning),
            *([""] if f.meaning else []),
            "| column | required | format | allowed values | key | dbt parses as |",
            "|---|---|---|---|---|---|",
            *(_column_row(f, c) for c in f.fields),
            "",
        ]
        errors = [e for e in suite["expectations"] if e["meta"]["severity"] == "error"]
        warns = [e for e in suite["expectations"] if e["meta"]["severity"] == "warn"]
        extra = [e for e in errors if e["meta"].get("origin") == HAND_WRITTEN]
        if extra:
            out += ["Further rules that refuse the batch (hand-written in the suite):", ""]
            out += [f"- {_rule_words(e)}" for e in extra]
            out.append("")
        if warns:
            out += ["Reported, never refused (`warn`):", ""]
            out += [f"- {_rule_words(e)}" for e in warns]
            out.append("")
        out += [f"Suite: `expectations/{f.raw_table}.json` ({len(suite['expectations'])} expectations).", ""]
    out += [
        "## Lineage columns of every raw table",
        "",
        "| column | type | holds |",
        "|---|---|---|",
        *(f"| `{n}` | {t} | {_md(LINEAGE_DESCRIPTIONS[n])} |" for n, t in LINEAGE_COLUMNS),
        "",
    ]
    return "\n".join(out)


# ── writing and checking ─────────────────────────────────────────────────────────────────────────────


def render_all(root: Path = PROJECT_ROOT) -> dict[Path, str]:
    """Every generated file (path under `root`) and the text it must hold."""
    folder = root / "expectations"
    files: dict[Path, str] = {}
    suites: dict[str, dict[str, Any]] = {}
    for f in SOURCE_FILES:
        text = render_suite(f, _committed_suite(f, folder))
        files[folder / f"{f.raw_table}.json"] = text
        suites[f.raw_table] = json.loads(text)
    files[root / SOURCES_YML.relative_to(PROJECT_ROOT)] = render_sources()
    files[root / DOCS_PAGE.relative_to(PROJECT_ROOT)] = render_docs(suites)
    files[root / CONTRACT_MACROS.relative_to(PROJECT_ROOT)] = render_macros()
    return files


def stale(root: Path = PROJECT_ROOT) -> list[Path]:
    """The generated files whose committed text differs from what the declaration renders."""
    return [p for p, text in render_all(root).items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def write(root: Path = PROJECT_ROOT) -> list[Path]:
    """Rewrite the stale generated files; returns them."""
    changed = []
    for path, text in render_all(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.contract", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="name the stale generated files, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        old = stale()
        for p in old:
            print(f"stale: {p.relative_to(PROJECT_ROOT)}", file=sys.stderr)
        return 1 if old else 0
    for p in write():
        print(f"wrote {p.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
