"""Each dbt test's Dagster check says what it checks, in the words the project already has for it."""

from __future__ import annotations

from pipelines.defs.dbt_checks import test_description as describe

MANIFEST = {
    "metadata": {"project_name": "coachwh"},
    "macros": {
        "macro.coachwh.test_not_null_columns": {"original_file_path": "tests/generic/not_null_columns.sql"},
    },
}


def test_a_singular_test_is_described_by_the_first_paragraph_of_its_comment():
    sql = "-- Nothing disappears\n-- without a reason.\n--\n-- In Dagster a check of x.\n{{ config() }}\nselect 1"
    assert describe(MANIFEST, {"raw_code": sql}) == "Nothing disappears without a reason."
    assert describe(MANIFEST, {"raw_code": "{{ config(enabled=true) }}\nselect 1"}) == ""


def test_dbts_own_tests_are_described_from_their_arguments():
    def node(name, **kwargs):
        return {"test_metadata": {"name": name, "namespace": None, "kwargs": {"model": "m", **kwargs}}}

    assert describe(MANIFEST, node("unique", column_name="user_id")) == "`user_id` is unique."
    assert describe(MANIFEST, node("accepted_values", column_name="kind", values=["rep", "coaching"])) == (
        "`kind` is one of rep, coaching."
    )
    relation = node("relationships", column_name="manager_id", to="ref('dim_employee')", field="employee_id")
    assert describe(MANIFEST, relation) == "every `manager_id` is a `employee_id` of dim_employee."


def test_a_project_generic_test_says_its_first_sentence_and_what_this_use_gives_it():
    node = {"test_metadata": {"name": "not_null_columns", "namespace": None, "kwargs": {"columns": ["a", "b"]}}}
    assert describe(MANIFEST, node) == "None of `columns` holds a null: one scan of the model for all of them, " \
        "failing with a row per column that does (the column's name and how many rows). (columns: a, b)"  # fmt: skip
    assert describe(MANIFEST, {**node, "description": "Said in the yml."}) == "Said in the yml."


def test_every_dbt_test_of_the_project_has_a_described_check():
    from pipelines.definitions import build_definitions

    specs = [s for a in build_definitions().assets if hasattr(a, "check_specs") for s in a.check_specs]
    assert len(specs) > 170
    assert [s.key for s in specs if not s.description] == []
