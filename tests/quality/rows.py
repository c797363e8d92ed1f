"""Hand-made raw rows for the quality tests: one clean row per raw table, numbered so keys stay unique."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.sources import LINEAGE_COLUMNS, create_raw_tables, quote, source_file

SFDT = "2026-11-26T02:13:45.000Z"


def sfid(prefix: str, i: int) -> str:
    return f"{prefix}{i:015d}"  # 3 + 15 = 18 characters


def clean_row(raw_table: str, i: int) -> dict[str, str]:
    """A row that meets every expectation of the table's suite; `i` makes its keys unique."""
    emp = f"{i:06d}"
    rows = {
        "crm_user": dict(
            Id=sfid("005", i),
            Username=f"u{i}@example.com.crm",
            FirstName="Ann",
            LastName="Lee",
            Email=f"ann{i}@example.com",
            EmployeeNumber=f" {i} ",
            ManagerId=sfid("005", 0),
            Title="Rep",
            IsActive="true",
            TimeZoneSidKey="Europe/London",
            CreatedDate=SFDT,
            SystemModstamp=SFDT,
        ),
        "crm_call": dict(
            Id=sfid("a04", i),
            OwnerId=sfid("005", 1),
            Account_vod__c=sfid("001", 2),
            Call_Date_vod__c="2026-11-25",
            Call_Datetime_vod__c=SFDT,
            Status_vod__c="Submitted_vod",
            Call_Type_vod__c="Detail Only",
            Call_Channel_vod__c="In-person",
            Parent_Call_vod__c=None,
            Detailed_Products_vod__c="Product A",
            Territory_vod__c="T1",
            IsDeleted="false",
            CreatedDate=SFDT,
            SystemModstamp=SFDT,
        ),
        "crm_coaching_report": dict(
            Id=sfid("a1b", i),
            Name=f"CR-{i:07d}",
            OwnerId=sfid("005", 2),
            Manager_vod__c=sfid("005", 1),
            Employee_vod__c=sfid("005", 2),
            Review_Date__c="2026-11-20",
            Status__c="Approved",
            Coaching_Type__c="Field Ride-Along",
            Duration_Minutes__c="90",
            Coaching_Level__c="Rep",
            Precall_Planning_Rating__c="3 - Proficient",
            Opening_Rating__c="5 - Role Model",
            Comments__c='Good, "quoted"\nmulti-line',
            IsDeleted="false",
            CreatedDate=SFDT,
            SystemModstamp=SFDT,
        ),
        "crm_opportunity": dict(
            Id=sfid("006", i),
            OwnerId=sfid("005", 1),
            AccountId=sfid("001", 2),
            Name="Acme - Product A Nov 2026",
            StageName="Closed Won",
            Amount="12500.50",
            CurrencyIsoCode="EUR",
            CloseDate="2026-11-30",
            IsClosed="true",
            IsWon="true",
            CreatedDate=SFDT,
            IsDeleted="false",
            SystemModstamp=SFDT,
        ),
        "crm_forecasting_quota": dict(
            Id=sfid("0J9", i),
            QuotaOwnerId=f"005{i:012d}",
            StartDate="2026-11-01",
            QuotaAmount="100000",
            CurrencyIsoCode="JPY",
            SystemModstamp=SFDT,
        ),
        "crm_dated_conversion_rate": dict(
            Id=sfid("04w", i),
            IsoCode="GBP",
            StartDate=f"{2000 + i % 100:04d}-{1 + i % 12:02d}-01",
            NextStartDate=None,
            ConversionRate="0.791234",
        ),
        "hris_workers": dict(
            **{
                "Employee ID": emp,
                "Legal Name": "Lee, Ann",
                "Work Email": f"ann{i}@example.com",
                "Hire Date": "03/15/2019",
                "Original Hire Date": "03/15/2019",
                "Termination Date": "10/31/2026",
                "Primary Termination Reason": "Better offer",
                "Termination Category": "Voluntary",
                "Regrettable Termination": "Yes",
                "Management Level": "Individual Contributor",
                "Job Profile": "Sales Representative",
                "Region": "EMEA",
                "Manager Employee ID": "000001",
                "Worker Status": "Terminated",
            }
        ),
        "hris_job_history": dict(
            **{
                "Employee ID": emp,
                "Effective Date": "03/15/2019",
                "Business Process": "Hire",
                "Management Level": "First-Line Manager",
                "Job Profile": "Sales Manager",
                "Region": "EMEA",
                "Manager Employee ID": "000001",
            }
        ),
        "survey_responses": dict(
            ResponseId=f"R_{i:015d}",
            StartDate="2025-09-30 08:00:00",
            EndDate="2025-09-30 08:07:12",
            Finished="1",
            Wave="2025-Q3",
            EmployeeID=None,
            ManagerID="000001",
            Q_COACH="5",
            Q_FEEDBACK="1",
            Q_GROWTH=None,
            Q_RECOGNITION="3",
            Q_INTENT_STAY="4",
            Q_ENPS="0",
        ),
        "lms_courses": dict(
            **{
                "LO ID": f"LO-{i}",
                "Training Title": "Coaching the Coach",
                "Training Type": "ILT",
                "Competency": "Coaching",
                "Audience": "Manager",
                "Duration Hours": "1.5",
                "Coaching Curriculum": "Y",
            }
        ),
        "lms_transcripts": dict(
            **{
                "User ID": emp,
                "User Email": f"Ann{i}@Example.com",
                "LO ID": "LO-1",
                "Assigned Date": "01/05/2026",
                "Due Date": "02/05/2026",
                "Completed Date": "01/20/2026",
                "Transcript Status": "Completed",
                "Score": "95",
                "Last Modified": "01/20/2026",
            }
        ),
    }
    return rows[raw_table]


def frame_table(
    con: duckdb.DuckDBPyConnection, name: str, raw_table: str, rows: list[dict], file: str, batch: str = "b/1"
) -> None:
    """Create table `name` in `con`: the delivered columns of raw_table plus _batch_id, _source_file,
    _row_number (1-based)."""
    f = source_file(raw_table)
    cols = ", ".join(f"{quote(c)} VARCHAR" for c in f.columns)
    con.execute(f"CREATE OR REPLACE TABLE {name} ({cols}, _batch_id VARCHAR, _source_file VARCHAR, _row_number BIGINT)")
    values = [[r.get(c) for c in f.columns] + [batch, file, n] for n, r in enumerate(rows, start=1)]
    if values:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in values[0])})", values)


def make_warehouse(home: Path) -> Path:
    """An empty warehouse with every raw table, where settings() looks for it under COACHWH_HOME=home."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        create_raw_tables(con)
    return path


def add_batch(warehouse: Path, raw_table: str, rows: list[dict], extract_date: str, file: str) -> None:
    """Append `rows` to raw.<raw_table> as the batch of `extract_date`, lineage filled in."""
    f = source_file(raw_table)
    extract = date.fromisoformat(extract_date)
    cols = [*f.columns, *(n for n, _ in LINEAGE_COLUMNS)]
    values = [
        [
            *(r.get(c) for c in f.columns),
            f"{f.system}/{extract_date}",
            f.system,
            extract,
            file,
            n,
            datetime(2026, 1, 1),
        ]
        for n, r in enumerate(rows, start=1)
    ]
    with duckdb.connect(str(warehouse)) as con:
        con.executemany(
            f"INSERT INTO raw.{raw_table} ({', '.join(quote(c) for c in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})",
            values,
        )
