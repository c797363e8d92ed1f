"""The source-export contract, as data: the ONE declaration of what the customer's systems deliver.

Every file type: its name, delivery kind, columns in order, each column's format, whether it is required,
its vocabulary or numeric range, the keys, how dbt reads it. Everything else is derived from here:

- the landing gate checks file names, headers and field counts against `SourceFile.columns` (a header may
  order them otherwise: the gate loads by name), and the raw tables are created from them (`raw_table_ddl`);
- `python -m pipelines.contract` GENERATES from it the structural expectations of the GX suites in
  `expectations/`, `dbt_project/models/staging/_sources.yml` and the human page `docs/export-contract.md`
  (`tests/test_contract_generated.py` fails when one of them is stale);
- the sample generator writes these layouts, from column lists of its own (`pipelines/sample/`), which
  `tests/sample/test_contract.py` holds equal to these.

The readable version is docs/export-contract.md; edit this file, then regenerate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

System = Literal["crm", "hris", "survey", "lms"]
SYSTEMS: tuple[System, ...] = ("crm", "hris", "survey", "lms")
SURVEY_WAVE = r"[0-9]{4}-Q[1-4]"  # a survey wave, like 2025-Q3: in the file name and the Wave column
Severity = Literal["error", "warn"]  # error: the gate refuses the batch; warn: it loads, and is reported


@dataclass(frozen=True)
class Format:
    """The shape of a text value, as the GX suites check it: one regex. A date's regex admits real calendar
    days only (02/30/2026 and 2025-02-29 are refused, 2024-02-29 passes), so one expectation per column says
    both "in this format" and "a real date", at the cost of one regex per value."""

    name: str  # as the docs say it
    regex: str
    rule: str  # the wording in failure messages
    severity: Severity = "error"


def _calendar_days(order: Literal["ymd", "mdy"], sep: str) -> str:
    """A regex of the real Gregorian days from 0001 to 9999, zero-padded, in `order` with `sep`.

    Months of 31 and of 30 days, February to the 28th in any year and the 29th in leap years: divisible by
    4 and not by 100 (`..04`, `..96`), or divisible by 400 (`0400`, `2000`)."""
    year = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
    leap_year = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
    month_days = (
        f"(0[13578]|1[02]){sep}(0[1-9]|[12][0-9]|3[01])"
        f"|(0[469]|11){sep}(0[1-9]|[12][0-9]|30)"
        f"|02{sep}(0[1-9]|1[0-9]|2[0-8])"
    )
    if order == "ymd":
        return f"({year}{sep}({month_days})|{leap_year}{sep}02{sep}29)"
    return f"(({month_days}){sep}{year}|02{sep}29{sep}{leap_year})"


_YMD = _calendar_days("ymd", "-")
_HMS = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
SF_ID = Format("Salesforce id (18)", "^[a-zA-Z0-9]{18}$", "18-character Salesforce id")
SF_ID_15 = Format("Salesforce id (15)", "^[a-zA-Z0-9]{15}$", "15-character Salesforce id")
ISO_DATE = Format("date", f"^{_YMD}$", "a real calendar date YYYY-MM-DD")
MONTH_START = Format(
    "first of a month",
    "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-01$",
    "first day of a month YYYY-MM-01 (a real calendar date)",
)
US_DATE = Format("US date", f"^{_calendar_days('mdy', '/')}$", "a real calendar date MM/DD/YYYY")
# sources.md: "Datetimes are UTC like `2026-11-26T02:13:45.000Z`": the shape, not the zero milliseconds. Data Loader
# writes `.000Z`; the API and other tools write real milliseconds, none, or the UTC offset as `+0000`/`+00:00`. Any
# other offset is not UTC, and refused.
SF_DATETIME = Format(
    "Salesforce datetime",
    f"^{_YMD}T{_HMS}(\\.[0-9]{{1,6}})?(Z|\\+00:?00)$",
    "Salesforce UTC datetime like YYYY-MM-DDTHH:MM:SS.000Z (up to 6 decimals of a second or none; Z, +0000 or "
    "+00:00) on a real calendar date",
)
UTC_DATETIME = Format("UTC datetime", f"^{_YMD} {_HMS}$", "UTC datetime YYYY-MM-DD HH:MM:SS on a real calendar date")
DECIMAL = Format("decimal", "^-?[0-9]+(\\.[0-9]+)?$", "plain decimal number like 1234.5")
# Salesforce's API (and Data Loader, which uses it) writes a number field as a Java double: a value of 10^7 or more, or
# under 10^-3, in E notation (`1.2345678E7`: a JPY deal of 12,345,678). DuckDB's and Spark's casts read both forms.
SF_NUMBER = Format(
    "Salesforce number",
    "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$",
    "decimal number like 1234.5, or in E notation like 1.2345678E7 as Salesforce writes large values",
)
WHOLE = Format("whole number", "^[0-9]+$", "whole number")
HRIS_ID = Format("HRIS Employee ID", "^[0-9]+$", "HRIS Employee ID: text of digits, leading zeros kept")
# Spaces around are allowed: identity compares e-mails trimmed (sources.md, Identity).
EMAIL = Format(
    "e-mail", "^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$", "e-mail address, optionally with spaces around", severity="warn"
)
# An HRIS Employee ID as another system keeps it (CRM EmployeeNumber, LMS User ID, survey ManagerID): digits,
# perhaps with leading zeros dropped or spaces around; the warehouse normalises it (whitespace trimmed, then when all
# digits zero-padded to six) before it joins, and an id that is not digits only fails to match, so a departure is a
# warning.
PADDED_DIGITS = Format("digits", "^\\s*[0-9]+\\s*$", "digits, optionally with spaces around", severity="warn")
WAVE = Format("survey wave", f"^{SURVEY_WAVE}$", "wave YYYY-Qn")

FLAG = ("true", "false")  # Salesforce booleans
COUNTED_STATUSES = ("Submitted", "Approved")  # a coaching report counts as a session once it has one of these
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD")
RATING_PICKLIST = (
    "1 - Needs Development",
    "2 - Developing",
    "3 - Proficient",
    "4 - Advanced",
    "5 - Role Model",
)
MANAGEMENT_LEVELS = ("Individual Contributor", "First-Line Manager", "Second-Line Manager", "Director")
TERMINATION_CATEGORIES = ("Voluntary", "Involuntary")
YES_NO = ("Yes", "No")
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
# The kinds the dbt source test `usable_values` parses (macro `unparsable`, dbt_project/macros/staging/parse.sql).
CASTABLE_KINDS = (
    "sf_datetime",
    "iso_date",
    "us_date",
    "us_timestamp",
    "timestamp",
    "flag",
    "rating",
    "double",
    "integer",
    "sf_id",
)


@dataclass(frozen=True)
class Range:
    """A numeric range, checked on the value cast to a number (`<column>::number` in the suites)."""

    rule: str
    min: int | float | None = None
    max: int | float | None = None
    strict_min: bool = False


@dataclass(frozen=True)
class Column:
    """One delivered column. Raw tables hold every value as text; an empty field is null."""

    name: str
    format: Format | None = None
    # "live": required where IsDeleted = 'false' (tombstones may omit it); "counted": required on the live coaching
    # reports that count as sessions (COUNTED_STATUSES): a draft may not know its date, coach or coachee yet
    required: bool | Literal["live", "counted"] = False
    values: tuple[str, ...] = ()  # the vocabulary (a value outside it is refused, unless values_severity says warn)
    values_rule: str = "vocabulary"  # the wording of the vocabulary in failure messages and the docs
    values_severity: Severity = "error"
    range: Range | None = None
    mostly: float | None = None  # the share of filled values that must have the format (GX `mostly`)
    castable: str | None = None  # the dbt source test: staging parses the column as this kind
    raw_not_null: bool = False  # a dbt not_null source test on the raw column
    description: str = ""  # for the dbt docs, when "as delivered" says too little
    # personal data (a respondent's EmployeeID): a failed check names its rows, never its values, since messages
    # travel to the run's events, the alert and REJECTED.md
    personal: bool = False

    def __post_init__(self) -> None:
        if self.castable is not None and self.castable not in CASTABLE_KINDS:
            raise ValueError(f"{self.name}: unknown castable kind {self.castable!r}")


@dataclass(frozen=True)
class SourceFile:
    """One file type of one system's nightly batch."""

    system: System
    name: str  # file stem as delivered: "User", "workers", "responses" (survey files are responses_<wave>)
    kind: Literal["snapshot", "delta"]
    fields: tuple[Column, ...]  # the delivered columns, in the order of raw and the sample generator
    raw_table: str  # table in the schema `raw`
    formats: tuple[str, ...] = ("csv",)  # accepted extensions; HR files may also come as xlsx
    header_rows: int = 1  # Qualtrics exports have three
    description: str = ""
    key: tuple[str, ...] = ()  # the columns that name one record (unique within a batch)
    also_unique: tuple[tuple[str, ...], ...] = ()  # further column sets unique within a batch
    # A column whose value a key keeps in every batch: a survey's ResponseId belongs to one wave, so a later batch
    # may deliver that wave again (a corrected export) but never name one of its responses in another wave.
    key_keeps: str | None = None
    notes: str = ""  # the quirks of the file, in words (the suite's meta.notes and the docs)
    meaning: tuple[str, ...] = ()  # what the values mean, for the docs page (no check follows from it)
    nightly: bool = True  # False: delivered when it happens (a survey wave), so dbt has no freshness for it

    def __post_init__(self) -> None:
        names = self.columns
        for cols in (self.key, *self.also_unique):
            missing = [c for c in cols if c not in names]
            if missing:
                raise ValueError(f"{self.raw_table}: key columns {missing} are not delivered columns")
        if self.key_keeps is not None and (not self.key or self.key_keeps not in names):
            raise ValueError(f"{self.raw_table}: key_keeps needs a key and a delivered column")
        optional = [c for c in self.key if self.column(c).required is not True]
        if optional:
            raise ValueError(f"{self.raw_table}: key columns {optional} must be required")

    @property
    def columns(self) -> tuple[str, ...]:
        """The delivered columns, in the order of raw and the sample generator (a delivery may order them otherwise)."""
        return tuple(c.name for c in self.fields)

    def column(self, name: str) -> Column:
        return next(c for c in self.fields if c.name == name)

    def contract_name(self, delivered: str) -> str:
        """The contract's spelling of a delivered column name (the name itself when it names no column).

        Salesforce API names are case-insensitive, and Data Loader writes them as the query typed them, or in
        capitals (`OWNERID`), so a CRM header matches in any letter case; the other systems' headers exactly."""
        if self.system != "crm" or delivered in self.columns:
            return delivered
        return next((c for c in self.columns if c.lower() == delivered.lower()), delivered)

    @property
    def file_pattern(self) -> str:
        """The delivered file name(s) in words: User.csv, workers.csv|xlsx, responses_<wave>.csv."""
        stem = "responses_<wave>" if self.name == "responses" else self.name
        return f"{stem}.{'|'.join(self.formats)}"

    def matches(self, filename: str) -> bool:
        """True when `filename` (no directory) is a delivery of this file type."""
        stem, _, ext = filename.rpartition(".")
        if ext.lower() not in self.formats:
            return False
        if self.name == "responses":
            return stem.startswith("responses_")  # the wave in the name is checked by `file_wave`
        return stem == self.name

    def file_wave(self, filename: str) -> str | None:
        """The survey wave a `responses_<wave>.csv` names (e.g. 2025-Q3), or None when it names none. The wave is
        spelt as the contract spells it (`2025-q3` is none: the rows' Wave could never equal it); the extension in
        any case."""
        m = re.fullmatch(rf"responses_({SURVEY_WAVE})\.(?i:csv)", filename)
        return m.group(1) if m else None


C = Column
_TOMBSTONES = (
    "Delta file: tombstones (IsDeleted = true) may leave every field empty but the key, IsDeleted and "
    "SystemModstamp (the owner and the creation date too), so the others are required only where IsDeleted = false."
)


def _sf_stamps(*, delta: bool = False) -> tuple[Column, ...]:
    """CreatedDate and SystemModstamp. In a delta file SystemModstamp orders a record's versions (never null in raw)
    and a tombstone may leave CreatedDate empty (_TOMBSTONES)."""
    return (
        C("CreatedDate", SF_DATETIME, required="live" if delta else True, castable="sf_datetime"),
        C("SystemModstamp", SF_DATETIME, required=True, castable="sf_datetime", raw_not_null=delta),
    )


_IS_DELETED = C("IsDeleted", required=True, values=FLAG, castable="flag")


def _likert(name: str) -> Column:
    return C(name, WHOLE, range=Range("Likert 1-5", 1, 5), castable="integer")


SOURCE_FILES: tuple[SourceFile, ...] = (
    SourceFile(
        "crm",
        "User",
        "snapshot",
        (
            C("Id", SF_ID, required=True, castable="sf_id", raw_not_null=True),
            C("Username", required=True),
            C("FirstName"),
            C("LastName"),
            C("Email", EMAIL),
            C("EmployeeNumber", PADDED_DIGITS, mostly=0.9),
            C("ManagerId", SF_ID, castable="sf_id"),
            C("Title"),
            C("IsActive", required=True, values=FLAG, castable="flag"),
            C("TimeZoneSidKey"),
            *_sf_stamps(),
        ),
        "crm_user",
        meaning=(
            (
                "`EmployeeNumber` is the HRIS Employee ID as typed by an admin: sometimes missing, leading zeros "
                "dropped, spaces around. Identity: it is trimmed and, when all digits, left-padded with zeros to six "
                "digits; a user without a match falls back to the e-mail (case-insensitive, trimmed) when exactly one"
                " worker has it; an unmatched user is kept and reported in `identity_unmatched`."
            ),
            (
                "`ManagerId` is the CRM's idea of the manager and can lag the HRIS: reporting lines come from the "
                "HRIS job history."
            ),
            "Ids are case-sensitive; datetimes are UTC.",
        ),
        key=("Id",),
        description="CRM users (reps, managers, admins, contractors); EmployeeNumber links to HRIS.",
        notes=(
            "User.csv (CRM snapshot). EmployeeNumber is typed by an admin: may be empty or padded with spaces; "
            "users who are not HRIS workers (contractors, e.g. 'C1043') carry other numbers and are reported by "
            "the identity_unmatched mart, not here. So 'digits, optionally surrounded by spaces' is required of "
            "90% of the filled values only: it catches a broken export, not a single odd user."
        ),
    ),
    SourceFile(
        "crm",
        "Call2_vod__c",
        "delta",
        (
            C("Id", SF_ID, required=True, castable="sf_id", raw_not_null=True),
            C("OwnerId", SF_ID, required="live", castable="sf_id"),
            C("Account_vod__c", SF_ID),
            C("Call_Date_vod__c", ISO_DATE, required="live", castable="iso_date"),
            C("Call_Datetime_vod__c", SF_DATETIME, castable="sf_datetime"),
            C("Status_vod__c", required="live", values=("Planned_vod", "Saved_vod", "Submitted_vod")),
            C(
                "Call_Type_vod__c",
                values=("Detail Only", "Detail with Sample", "Group Detail", "Group Detail with Sample", "Sample Only"),
            ),
            C("Call_Channel_vod__c", values=("In-person", "Phone", "Video", "Email")),
            C("Parent_Call_vod__c", SF_ID, castable="sf_id"),
            C("Detailed_Products_vod__c"),
            C("Territory_vod__c"),
            _IS_DELETED,
            *_sf_stamps(delta=True),
        ),
        "crm_call",
        meaning=(
            "Only `Submitted_vod` calls happened.",
            (
                "A group call is one parent row plus one child row per attendee naming its parent in "
                "`Parent_Call_vod__c`: a visit is a row with an empty `Parent_Call_vod__c`."
            ),
            "A tombstone (`IsDeleted = true`) removes the record from the warehouse.",
        ),
        key=("Id",),
        description="Calls: visits (no parent) and group-call attendee rows (with a parent).",
        notes=f"Call2_vod__c.csv (CRM delta). {_TOMBSTONES}",
    ),
    SourceFile(
        "crm",
        "Coaching_Report_vod__c",
        "delta",
        (
            C("Id", SF_ID, required=True, castable="sf_id", raw_not_null=True),
            C("Name"),
            C("OwnerId", SF_ID, required="live"),
            C("Manager_vod__c", SF_ID, required="counted", castable="sf_id"),
            C("Employee_vod__c", SF_ID, required="counted", castable="sf_id"),
            C("Review_Date__c", ISO_DATE, required="counted", castable="iso_date"),
            C("Status__c", required="live", values=("Draft", *COUNTED_STATUSES)),
            C("Coaching_Type__c", values=("Field Ride-Along", "Virtual Ride-Along", "One-on-One", "Call Review")),
            C("Duration_Minutes__c", SF_NUMBER, range=Range("duration minutes >= 0", 0), castable="double"),
            # not required: no measure reads it (a skill's kind is its rating field's), so a session without it is
            # no reason to hold back a night of the CRM
            C("Coaching_Level__c", values=("Rep", "Manager")),
            *(C(name, values=RATING_PICKLIST, castable="rating") for name in REP_SKILL_FIELDS),
            *(C(name, values=RATING_PICKLIST, castable="rating") for name in COACHING_SKILL_FIELDS),
            C("Comments__c"),
            _IS_DELETED,
            *_sf_stamps(delta=True),
        ),
        "crm_coaching_report",
        meaning=(
            (
                "`Manager_vod__c` is the coach and `Employee_vod__c` the person coached (both User ids); `OwnerId` is"
                " set to the coachee by Veeva and says nothing about the coach."
            ),
            (
                "A session counts once it is `Submitted` or `Approved`. `Coaching_Level__c`: `Rep` is a front-line "
                "manager coaching a rep, `Manager` a second-line manager coaching a front-line manager."
            ),
            (
                "Rep-level reports fill the rep skills (Precall_Planning … Postcall_Analysis), manager-level reports "
                "the coaching skills (Observation … Strategic_Thinking); an empty rating is a skill not observed."
            ),
        ),
        key=("Id",),
        description="Coaching reports: coach (Manager_vod__c), coachee (Employee_vod__c), ratings.",
        notes=(
            f"Coaching_Report_vod__c.csv (CRM delta). {_TOMBSTONES} A Draft may leave its review date, coach and "
            "coachee empty (required once Submitted or Approved). Ratings may be empty (skill not observed)."
        ),
    ),
    SourceFile(
        "crm",
        "Opportunity",
        "delta",
        (
            C("Id", SF_ID, required=True, castable="sf_id", raw_not_null=True),
            C("OwnerId", SF_ID, required="live", castable="sf_id"),
            C("AccountId", SF_ID),
            C("Name"),
            C(
                "StageName",
                required="live",
                values=(
                    "Prospecting",
                    "Qualification",
                    "Needs Analysis",
                    "Proposal",
                    "Negotiation",
                    "Closed Won",
                    "Closed Lost",
                ),
            ),
            C("Amount", SF_NUMBER, range=Range("amount >= 0", 0), castable="double"),
            C("CurrencyIsoCode", required="live", values=CURRENCIES),
            C("CloseDate", ISO_DATE, required="live", castable="iso_date"),
            C("IsClosed", required="live", values=FLAG, castable="flag"),
            C("IsWon", required="live", values=FLAG, castable="flag"),
            C("CreatedDate", SF_DATETIME, required="live", castable="sf_datetime"),
            _IS_DELETED,
            C("SystemModstamp", SF_DATETIME, required=True, castable="sf_datetime", raw_not_null=True),
        ),
        "crm_opportunity",
        meaning=(
            (
                "`Amount` is in `CurrencyIsoCode`. A deal can be edited after it closed (amount, close date, even "
                "reopened): the latest `SystemModstamp` wins."
            ),
        ),
        key=("Id",),
        description="Opportunities in their own currency; edited and deleted over several deltas.",
        notes=f"Opportunity.csv (CRM delta). {_TOMBSTONES} Amount is optional (as in Salesforce) but never negative.",
    ),
    SourceFile(
        "crm",
        "ForecastingQuota",
        "snapshot",
        (
            C("Id", SF_ID, required=True, raw_not_null=True),
            C("QuotaOwnerId", SF_ID_15, required=True, castable="sf_id", raw_not_null=True),
            C("StartDate", MONTH_START, required=True, castable="iso_date", raw_not_null=True),
            C("QuotaAmount", SF_NUMBER, required=True, range=Range("quota amount >= 0", 0), castable="double"),
            C("CurrencyIsoCode", required=True, values=CURRENCIES),
            C("SystemModstamp", SF_DATETIME, required=True, castable="sf_datetime"),
        ),
        "crm_forecasting_quota",
        meaning=(
            (
                "The file comes from a Salesforce report, so `QuotaOwnerId` is the 15-character form of the User id: "
                "it joins only after conversion to the 18-character form (Salesforce's case-safe checksum suffix)."
            ),
        ),
        key=("Id",),
        also_unique=(("QuotaOwnerId", "StartDate"),),
        description="Monthly quota per owner; QuotaOwnerId is the 15-character user id.",
        notes=(
            "ForecastingQuota.csv (CRM snapshot from a report): QuotaOwnerId is the 15-character user id; one row "
            "per owner and month, StartDate the first day of the month."
        ),
    ),
    SourceFile(
        "crm",
        "DatedConversionRate",
        "snapshot",
        (
            C("Id", SF_ID, required=True),
            # A rate for a currency outside the deals' and quotas' vocabulary converts nothing (their own
            # CurrencyIsoCode refuses such a currency), so an org with more active currencies is reported, not refused.
            C(
                "IsoCode",
                required=True,
                values=CURRENCIES,
                values_rule="a currency the deals and quotas may be in (a rate of another currency is never used)",
                values_severity="warn",
                raw_not_null=True,
            ),
            C("StartDate", ISO_DATE, required=True, castable="iso_date", raw_not_null=True),
            C("NextStartDate", ISO_DATE, castable="iso_date"),
            C(
                "ConversionRate",
                SF_NUMBER,
                required=True,
                range=Range("conversion rate > 0", 0, strict_min=True),
                castable="double",
                raw_not_null=True,
            ),
        ),
        "crm_dated_conversion_rate",
        meaning=(
            (
                "Units of the currency that one USD (the corporate currency) buys, from `StartDate` (inclusive) to "
                "`NextStartDate` (exclusive; empty for the current rate): USD = amount ÷ rate."
            ),
        ),
        key=("Id",),
        also_unique=(("IsoCode", "StartDate"),),
        description="Units of a currency that one USD buys, valid [StartDate, NextStartDate).",
        notes=(
            "DatedConversionRate.csv (CRM snapshot): units of IsoCode one USD buys, valid [StartDate, "
            "NextStartDate); NextStartDate empty for the current rate."
        ),
    ),
    SourceFile(
        "hris",
        "workers",
        "snapshot",
        (
            C("Employee ID", HRIS_ID, required=True, raw_not_null=True),
            C("Legal Name"),
            C("Work Email", EMAIL),
            C("Hire Date", US_DATE, required=True, castable="us_date"),
            C("Original Hire Date", US_DATE, castable="us_date"),
            C("Termination Date", US_DATE, castable="us_date"),
            C("Primary Termination Reason"),
            C("Termination Category", values=TERMINATION_CATEGORIES),
            C("Regrettable Termination", values=YES_NO, castable="flag"),
            C("Management Level", values=MANAGEMENT_LEVELS),
            C("Job Profile"),
            C("Region"),
            C("Manager Employee ID", HRIS_ID),
            C("Worker Status", required=True, values=("Active", "Terminated", "Leave of Absence")),
        ),
        "hris_workers",
        meaning=(
            (
                "`Employee ID` is text with leading zeros (`000123`) and the person key of the warehouse; in a "
                "workbook it is always text."
            ),
            "Only the latest termination of a person shows here; the job history has them all.",
        ),
        key=("Employee ID",),
        formats=("csv", "xlsx"),
        description="Every worker, current state; only the latest termination of a person.",
        notes=(
            "workers.csv / workers.xlsx (HRIS snapshot). The gate turns workbook date cells into MM/DD/YYYY text, "
            "so CSV and xlsx deliveries are checked alike."
        ),
    ),
    SourceFile(
        "hris",
        "job_history",
        "snapshot",
        (
            C("Employee ID", HRIS_ID, required=True, raw_not_null=True),
            C("Effective Date", US_DATE, required=True, castable="us_date", raw_not_null=True),
            C(
                "Business Process",
                required=True,
                values=("Hire", "Transfer", "Promotion", "Change Manager", "Rehire", "Termination"),
                raw_not_null=True,
            ),
            C("Management Level", values=MANAGEMENT_LEVELS),
            C("Job Profile"),
            C("Region"),
            C("Manager Employee ID", HRIS_ID),
            C("Primary Termination Reason"),
            C("Termination Category", values=TERMINATION_CATEGORIES),
            C("Regrettable Termination", values=YES_NO, castable="flag"),
        ),
        "hris_job_history",
        meaning=(
            (
                "Every hire, transfer, promotion and manager change as an effective-dated row; reporting lines at any"
                " date come from it. A rehired worker keeps the same Employee ID."
            ),
            (
                "A person's first row is a `Hire`, the row after a `Termination` a `Rehire`. A `Termination` row's "
                "Effective Date is the last day worked; it carries the manager of that day, and only such rows fill "
                "the three termination columns."
            ),
            (
                "A history out of that order loads with a warning (the dbt test `assert_job_history_in_sequence` "
                "names each row out of it) and is read by the definition of an employment span, from a `Hire` or "
                "`Rehire` to the next `Termination`: rows before the first `Hire` or `Rehire`, or after a "
                "`Termination` that no `Rehire` follows yet, make no one employed."
            ),
        ),
        key=("Employee ID", "Effective Date"),
        formats=("csv", "xlsx"),
        description="Effective-dated hires, transfers, promotions, manager changes, terminations.",
        notes=(
            "job_history.csv / job_history.xlsx (HRIS snapshot): at most one row per person and Effective Date; "
            "only Termination rows fill the three termination columns."
        ),
    ),
    SourceFile(
        "survey",
        "responses",
        "snapshot",
        (
            C("ResponseId", required=True, raw_not_null=True),
            C("StartDate", UTC_DATETIME, required=True, castable="timestamp"),
            C("EndDate", UTC_DATETIME, required=True, castable="timestamp"),
            C("Finished", required=True, values=("1", "0"), castable="flag"),
            C("Wave", WAVE, required=True, raw_not_null=True),
            C(
                "EmployeeID",
                PADDED_DIGITS,
                personal=True,
                description=(
                    "Respondent's employee id: personal data. Never selected past raw (stg_survey__responses drops it)."
                ),
            ),
            C("ManagerID", PADDED_DIGITS),
            _likert("Q_COACH"),
            _likert("Q_FEEDBACK"),
            _likert("Q_GROWTH"),
            _likert("Q_RECOGNITION"),
            _likert("Q_INTENT_STAY"),
            C("Q_ENPS", WHOLE, range=Range("ENPS 0-10", 0, 10), castable="integer"),
        ),
        "survey_responses",
        meaning=(
            (
                "One file per wave, delivered the night the wave closes; three header rows (question ids, question "
                "text, the `ImportId` JSON), data from row four. `Wave` must equal the wave in the file name."
            ),
            "`ResponseId` is unique across waves. `Finished = 0` rows are partial and do not count.",
            (
                "`ManagerID` is the respondent's manager as the survey vendor knew it at launch. `EmployeeID` is "
                "personal data: it never reaches a BI-facing table."
            ),
        ),
        key=("ResponseId",),
        key_keeps="Wave",
        header_rows=3,
        nightly=False,
        description="Engagement survey responses of one wave (Qualtrics export, three header rows).",
        notes=(
            "responses_<wave>.csv (Qualtrics export, three header rows). Likert items 1-5, Q_ENPS 0-10, an empty "
            "answer is a skipped item; EmployeeID is empty for confidential waves."
        ),
    ),
    SourceFile(
        "lms",
        "courses",
        "snapshot",
        (
            C("LO ID", required=True, raw_not_null=True),
            C("Training Title"),
            C("Training Type"),
            C("Competency"),
            C("Audience", values=("Rep", "Manager", "All")),
            C("Duration Hours", DECIMAL, range=Range("duration hours >= 0", 0), castable="double"),
            C("Coaching Curriculum", required=True, values=("Y", "N"), castable="flag"),
        ),
        "lms_courses",
        meaning=("`Coaching Curriculum = Y` marks courses that teach managers to coach.",),
        key=("LO ID",),
        description="Course catalogue, including the coaching curriculum for managers.",
        notes="courses.csv (LMS snapshot, course catalogue).",
    ),
    SourceFile(
        "lms",
        "transcripts",
        "delta",
        (
            C("User ID", PADDED_DIGITS, required=True, raw_not_null=True),
            C("User Email", EMAIL),
            C("LO ID", required=True, raw_not_null=True),
            C("Assigned Date", US_DATE, required=True, castable="us_date", raw_not_null=True),
            C("Due Date", US_DATE, castable="us_date"),
            C("Completed Date", US_DATE, castable="us_date"),
            C(
                "Transcript Status",
                required=True,
                values=("Registered", "In Progress", "Completed", "Cancelled", "Past Due"),
            ),
            C("Score", DECIMAL, range=Range("score 0-100", 0, 100), castable="double"),
            C("Last Modified", US_DATE, required=True, castable="us_timestamp", raw_not_null=True),
        ),
        "lms_transcripts",
        meaning=(
            (
                "`User ID` is the HRIS Employee ID (normalised like `EmployeeNumber`, then the e-mail); `User Email` "
                "may differ from the HRIS e-mail in case."
            ),
            "`Last Modified` is a date: two changes on one day are ordered by extract date. `Score` is empty or 0–100.",
        ),
        key=("User ID", "LO ID", "Assigned Date"),
        description="Course assignments and their state; keyed by (User ID, LO ID, Assigned Date).",
        notes=(
            "transcripts.csv (LMS delta keyed by User ID, LO ID, Assigned Date). Score is checked as a percentage "
            "0-100 (the spec does not state a scale: our choice)."
        ),
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
LINEAGE_DESCRIPTIONS: dict[str, str] = {
    "_batch_id": "Batch the row came in: '<system>/<extract-date>'.",
    "_system": "Source system (crm, hris, survey, lms).",
    "_extract_date": "The night the extract ran (the batch folder's date).",
    "_source_file": "File name as delivered.",
    "_row_number": "1-based data record number in the file (header rows not counted).",
    "_loaded_at": "When the ingestion loaded the batch (UTC).",
}

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
    """Create the schema `raw` and every raw table (idempotent). `con` is a DuckDB connection.

    A column added to the declaration after its raw table was created is added to the table (text, null in the
    rows loaded before it): the gate inserts by name, so where the column stands in the table does not matter."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    for f in SOURCE_FILES:
        con.execute(raw_table_ddl(f))
    have: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = ?", [RAW_SCHEMA]
    ).fetchall():
        have.setdefault(table, set()).add(column)
    for f in SOURCE_FILES:
        for c in f.columns:
            if c not in have.get(f.raw_table, ()):
                con.execute(f"ALTER TABLE {RAW_SCHEMA}.{f.raw_table} ADD COLUMN {quote(c)} VARCHAR")
