"""What each dbt test checks, in words, for its Dagster asset check (the UI's Checks tab said "No description").

The words come from where the project already says them, so there is nothing to keep in step:
- a singular test (`dbt_project/tests/**/*.sql`): the first paragraph of its leading `--` comment;
- one of the project's generic tests (`dbt_project/tests/generic/*.sql`): the first sentence of the comment that
  heads its file, and the arguments this use gives it;
- one of dbt's own (`unique`, `not_null`, `relationships`, `accepted_values`): a sentence made from its arguments.
A test that declares a `description` keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pipelines.config import DBT_PROJECT_DIR

_HEAD_COMMENT = re.compile(r"^\s*\{#-?(.*?)-?#\}", re.DOTALL)


def test_description(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str:
    """The description of the dbt test node `test` of `manifest`."""
    if test.get("description"):
        return test["description"]
    meta = test.get("test_metadata")
    if not meta:
        return _leading_comment(test.get("raw_code", ""))
    kwargs = meta.get("kwargs", {})
    column = kwargs.get("column_name")
    builtin = {
        "unique": f"`{column}` is unique.",
        "not_null": f"`{column}` is never null.",
        "accepted_values": f"`{column}` is one of {', '.join(map(str, kwargs.get('values', [])))}.",
        "relationships": f"every `{column}` is a `{kwargs.get('field')}` of {_ref_name(kwargs.get('to', ''))}.",
    }
    if meta.get("namespace") is None and meta["name"] in builtin:
        return builtin[meta["name"]]
    macro = manifest.get("macros", {}).get(_macro_id(manifest, meta["name"]))
    said = _first_sentence(_file_comment(macro["original_file_path"])) if macro else ""
    given = _arguments(kwargs)
    return f"{said} ({given})" if said and given else said or given


def _macro_id(manifest: Mapping[str, Any], name: str) -> str:
    project = manifest.get("metadata", {}).get("project_name", "")
    return f"macro.{project}.test_{name}"


def _ref_name(to: str) -> str:
    found = re.search(r"ref\(['\"]([^'\"]+)['\"]\)", to)
    return found.group(1) if found else to


def _leading_comment(sql: str) -> str:
    """The first paragraph of the `--` comment that opens a singular test (an empty `--` line ends it)."""
    lines = []
    for line in sql.splitlines():
        text = line.strip()
        if not text.startswith("--") or (text == "--" and lines):
            break
        lines.append(text.removeprefix("--").strip())
    return " ".join(lines).strip()


def _arguments(kwargs: Mapping[str, Any]) -> str:
    """What a project generic test was given, e.g. `columns: a, b` or `ranges: x, y` (a mapping's keys)."""
    parts = []
    for name, value in kwargs.items():
        if name in ("model", "column_name"):
            continue
        if isinstance(value, Mapping):
            value = list(value)
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        parts.append(f"{name}: {value}")
    return "; ".join(parts)


@cache
def _file_comment(original_file_path: str, project_dir: Path = DBT_PROJECT_DIR) -> str:
    path = project_dir / original_file_path
    found = _HEAD_COMMENT.match(path.read_text(encoding="utf-8")) if path.exists() else None
    return " ".join(found.group(1).split()) if found else ""


def _first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence: followed by a space or the end (not the dot of `1.5`)."""
    found = re.search(r"^(.*?[.!?])(\s|$)", text)
    return found.group(1) if found else text
