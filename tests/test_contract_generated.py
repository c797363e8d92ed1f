"""The files generated from the export contract's one declaration (pipelines/sources.py) are up to date.

When this fails: run `python -m pipelines.contract` and commit what it rewrote (after editing
pipelines/sources.py), or move the hand edit of a generated file into the declaration.
"""

from __future__ import annotations

import json

import pytest

from pipelines import contract
from pipelines.config import PROJECT_ROOT
from pipelines.sources import SOURCE_FILES

RENDERED = contract.render_all()


@pytest.mark.parametrize("path", sorted(RENDERED), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_generated_file_is_current(path):
    assert path.exists(), f"{path.relative_to(PROJECT_ROOT)} is missing: run python -m pipelines.contract"
    committed = path.read_text(encoding="utf-8")
    assert committed == RENDERED[path], (
        f"{path.relative_to(PROJECT_ROOT)} is stale: run `python -m pipelines.contract` and commit the result"
    )


@pytest.mark.parametrize("f", SOURCE_FILES, ids=lambda f: f.raw_table)
def test_every_expectation_says_where_it_comes_from(f):
    suite = json.loads((contract.EXPECTATIONS_DIR / f"{f.raw_table}.json").read_text(encoding="utf-8"))
    for e in suite["expectations"]:
        assert e["meta"].get("origin") in contract.ORIGINS, e
    generated = [e for e in suite["expectations"] if e["meta"]["origin"] == contract.GENERATED]
    assert generated == contract.generated_expectations(f)


def test_a_hand_edit_of_a_generated_expectation_is_caught(tmp_path):
    """Edit a generated expectation in a copy of the suites: the copy is stale, and regenerating it
    restores the declaration's version while keeping the hand-written ones."""
    folder = tmp_path / "expectations"
    folder.mkdir()
    for f in SOURCE_FILES:
        src = contract.EXPECTATIONS_DIR / f"{f.raw_table}.json"
        (folder / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / "hris_job_history.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    hand = contract.hand_written(suite)
    assert hand, "hris_job_history has hand-written expectations"
    suite["expectations"][0]["meta"]["severity"] = "warn"
    path.write_text(json.dumps(suite, indent=2) + "\n", encoding="utf-8")
    assert path in contract.stale(tmp_path)
    contract.write(tmp_path)
    assert path not in contract.stale(tmp_path)
    regenerated = json.loads(path.read_text(encoding="utf-8"))
    assert regenerated["expectations"][0]["meta"]["severity"] == "error"
    assert contract.hand_written(regenerated) == hand


def test_the_repository_carries_its_own_contract_docs():
    page = (PROJECT_ROOT / "docs" / "export-contract.md").read_text(encoding="utf-8")
    for f in SOURCE_FILES:
        assert f.raw_table in page
    for name in ("README.md", "expectations/README.md", "pipelines/sample/README.md"):
        assert "../shared" not in (PROJECT_ROOT / name).read_text(encoding="utf-8"), name
