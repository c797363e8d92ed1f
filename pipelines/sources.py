"""The source-export contract of ../shared/spec/sources.md, as data.

One obvious place for what every file is called, which columns it has in which order, how it is
delivered and which raw table it lands in. The sample generator writes these layouts, the landing
gate checks against them, and dbt's sources read the raw tables they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

System = Literal["crm", "hris", "survey", "lms"]
SYSTEMS: tuple[System, ...] = ("crm", "hris", "survey", "lms")
SURVEY_WAVE = r"[0-9]{4}-Q[1-4]"  # a survey wave, like 2025-Q3: in the file name and the Wave column

RATING_PICKLIST = (
    "1 - Needs Development",
    "2 - Developing",
    "3 - Proficient",
    "4 - Advanced",
    "5 - Role Model",
)
REP_SKILL_FIELDS = (
    "Precall_Planning_Rating__c",
    "Opening_Rating__c",
    "Needs_Discovery_Rating__c",
    "Messaging_Rating__c",
    "Objection_Handling_Rating__c",
    "Closing_Rating__c",
    "Postcall_Analysis_Rating__c",
)
COACHING_SKILL_FIELDS = (
    "Observation_Rating__c",
    "Feedback_Rating__c",
    "Questioning_Rating__c",
    "Goal_Setting_Rating__c",
    "Accountability_Rating__c",
    "Motivation_Rating__c",
    "Strategic_Thinking_Rating__c",
)


@dataclass(frozen=True)
class SourceFile:
    """One file type of one system's nightly batch."""

    system: System
    name: str  # file stem as delivered: "User", "workers", "responses" (survey files are responses_<wave>)
    kind: Literal["snapshot", "delta"]
    columns: tuple[str, ...]
    raw_table: str  # table in the schema `raw`
    formats: tuple[str, ...] = ("csv",)  # accepted extensions; HR files may also come as xlsx
    header_rows: int = 1  # Qualtrics exports have three
    description: str = ""
    key: tuple[str, ...] = ()  # the columns that name one record (unique within a batch)

    def matches(self, filename: str) -> bool:
        """True when `filename` (no directory) is a delivery of this file type."""
        stem, _, ext = filename.rpartition(".")
        if ext.lower() not in self.formats:
            return False
        if self.name == "responses":
            return stem.startswith("responses_")  # the wave in the name is checked by `file_wave`
        return stem == self.name

    def file_wave(self, filename: str) -> str | None:
        """The survey wave a `responses_<wave>.csv` names (e.g. 2025-Q3), or None when it names none."""
        m = re.fullmatch(rf"responses_({SURVEY_WAVE})\.csv", filename, flags=re.IGNORECASE)
        return m.group(1) if m else None


SOURCE_FILES: tuple[SourceFile, ...] = (
    SourceFile(
        "crm",
        "User",
        "snapshot",
        (
            "Id",
            "Username",
            "FirstName",
            "LastName",
            "Email",
            "EmployeeNumber",
            "ManagerId",
            "Title",
            "IsActive",
            "TimeZoneSidKey",
            "CreatedDate",
            "SystemModstamp",
        ),
        "crm_user",
        key=("Id",),
        description="CRM users (reps, managers, admins, contractors); EmployeeNumber links to HRIS.",
    ),
    SourceFile(
        "crm",
        "Call2_vod__c",
        "delta",
        (
            "Id",
            "OwnerId",
            "Account_vod__c",
            "Call_Date_vod__c",
            "Call_Datetime_vod__c",
            "Status_vod__c",
            "Call_Type_vod__c",
            "Call_Channel_vod__c",
            "Parent_Call_vod__c",
            "Detailed_Products_vod__c",
            "Territory_vod__c",
            "IsDeleted",
            "CreatedDate",
            "SystemModstamp",
        ),
        "crm_call",
        key=("Id",),
        description="Calls: visits (no parent) and group-call attendee rows (with a parent).",
    ),
    SourceFile(
        "crm",
        "Coaching_Report_vod__c",
        "delta",
        (
            "Id",
            "Name",
            "OwnerId",
            "Manager_vod__c",
            "Employee_vod__c",
            "Review_Date__c",
            "Status__c",
            "Coaching_Type__c",
            "Duration_Minutes__c",
            "Coaching_Level__c",
            *REP_SKILL_FIELDS,
            *COACHING_SKILL_FIELDS,
            "Comments__c",
            "IsDeleted",
            "CreatedDate",
            "SystemModstamp",
        ),
        "crm_coaching_report",
        key=("Id",),
        description="Coaching reports: coach (Manager_vod__c), coachee (Employee_vod__c), ratings.",
    ),
    SourceFile(
        "crm",
        "Opportunity",
        "delta",
        (
            "Id",
            "OwnerId",
            "AccountId",
            "Name",
            "StageName",
            "Amount",
            "CurrencyIsoCode",
            "CloseDate",
            "IsClosed",
            "IsWon",
            "CreatedDate",
            "IsDeleted",
            "SystemModstamp",
        ),
        "crm_opportunity",
        key=("Id",),
        description="Opportunities in their own currency; edited and deleted over several deltas.",
    ),
    SourceFile(
        "crm",
        "ForecastingQuota",
        "snapshot",
        ("Id", "QuotaOwnerId", "StartDate", "QuotaAmount", "CurrencyIsoCode", "SystemModstamp"),
        "crm_forecasting_quota",
        key=("Id",),
        description="Monthly quota per owner; QuotaOwnerId is the 15-character user id.",
    ),
    SourceFile(
        "crm",
        "DatedConversionRate",
        "snapshot",
        ("Id", "IsoCode", "StartDate", "NextStartDate", "ConversionRate"),
        "crm_dated_conversion_rate",
        key=("Id",),
        description="Units of a currency that one USD buys, valid [StartDate, NextStartDate).",
    ),
    SourceFile(
        "hris",
        "workers",
        "snapshot",
        (
            "Employee ID",
            "Legal Name",
            "Work Email",
            "Hire Date",
            "Original Hire Date",
            "Termination Date",
            "Primary Termination Reason",
            "Termination Category",
            "Regrettable Termination",
            "Management Level",
            "Job Profile",
            "Region",
            "Manager Employee ID",
            "Worker Status",
        ),
        "hris_workers",
        key=("Employee ID",),
        formats=("csv", "xlsx"),
        description="Every worker, current state; only the latest termination of a person.",
    ),
    SourceFile(
        "hris",
        "job_history",
        "snapshot",
        (
            "Employee ID",
            "Effective Date",
            "Business Process",
            "Management Level",
            "Job Profile",
            "Region",
            "Manager Employee ID",
            "Primary Termination Reason",
            "Termination Category",
            "Regrettable Termination",
        ),
        "hris_job_history",
        key=("Employee ID", "Effective Date"),
        formats=("csv", "xlsx"),
        description="Effective-dated hires, transfers, promotions, manager changes, terminations.",
    ),
    SourceFile(
        "survey",
        "responses",
        "snapshot",
        (
            "ResponseId",
            "StartDate",
            "EndDate",
            "Finished",
            "Wave",
            "EmployeeID",
            "ManagerID",
            "Q_COACH",
            "Q_FEEDBACK",
            "Q_GROWTH",
            "Q_RECOGNITION",
            "Q_INTENT_STAY",
            "Q_ENPS",
        ),
        "survey_responses",
        key=("ResponseId",),
        header_rows=3,
        description="Engagement survey responses of one wave (Qualtrics export, three header rows).",
    ),
    SourceFile(
        "lms",
        "courses",
        "snapshot",
        ("LO ID", "Training Title", "Training Type", "Competency", "Audience", "Duration Hours", "Coaching Curriculum"),
        "lms_courses",
        key=("LO ID",),
        description="Course catalogue, including the coaching curriculum for managers.",
    ),
    SourceFile(
        "lms",
        "transcripts",
        "delta",
        (
            "User ID",
            "User Email",
            "LO ID",
            "Assigned Date",
            "Due Date",
            "Completed Date",
            "Transcript Status",
            "Score",
            "Last Modified",
        ),
        "lms_transcripts",
        key=("User ID", "LO ID", "Assigned Date"),
        description="Course assignments and their state; keyed by (User ID, LO ID, Assigned Date).",
    ),
)

# Lineage columns appended to every raw table, after the delivered columns.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_batch_id", "VARCHAR"),  # "<system>/<extract-date>"
    ("_system", "VARCHAR"),
    ("_extract_date", "DATE"),
    ("_source_file", "VARCHAR"),  # file name as delivered, e.g. "workers.xlsx", "responses_2025-Q3.csv"
    ("_row_number", "BIGINT"),  # 1-based data record number in the file (header rows not counted)
    ("_loaded_at", "TIMESTAMP"),
)

RAW_SCHEMA = "raw"


def files_of(system: System) -> tuple[SourceFile, ...]:
    return tuple(f for f in SOURCE_FILES if f.system == system)


def source_file(raw_table: str) -> SourceFile:
    for f in SOURCE_FILES:
        if f.raw_table == raw_table:
            return f
    raise KeyError(f"no source file lands in raw.{raw_table}")


def classify(system: System, filename: str) -> SourceFile | None:
    """The file type a delivered file name belongs to, or None when the contract has no such file."""
    return next((f for f in files_of(system) if f.matches(filename)), None)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def raw_table_ddl(f: SourceFile) -> str:
    """CREATE TABLE for a raw table: every delivered column as text, then the lineage columns."""
    cols = [f"{quote(c)} VARCHAR" for c in f.columns] + [f"{n} {t}" for n, t in LINEAGE_COLUMNS]
    return f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{f.raw_table} (\n  " + ",\n  ".join(cols) + "\n)"


def create_raw_tables(con) -> None:
    """Create the schema `raw` and every raw table (idempotent). `con` is a DuckDB connection."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    for f in SOURCE_FILES:
        con.execute(raw_table_ddl(f))
