"""The signal the warehouse must find, computed from the generated files alone (DuckDB, no hidden state)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.sample.ids import to18


@pytest.fixture(scope="module")
def con(landing):
    con = duckdb.connect()
    crm = landing / "crm"

    def files(name):
        return f"'{crm}/*/{name}.csv'"

    con.execute(f"""
        CREATE VIEW report AS SELECT * FROM read_csv({files("Coaching_Report_vod__c")}, all_varchar = true,
            filename = true) QUALIFY row_number() OVER (PARTITION BY "Id" ORDER BY "SystemModstamp" DESC,
            filename DESC) = 1;
        CREATE VIEW opp AS SELECT * FROM read_csv({files("Opportunity")}, all_varchar = true, filename = true)
            QUALIFY row_number() OVER (PARTITION BY "Id" ORDER BY "SystemModstamp" DESC, filename DESC) = 1;
        CREATE VIEW quota AS SELECT * FROM read_csv('{crm}/2026-11-05/ForecastingQuota.csv',
        all_varchar = true);
        CREATE VIEW rate AS SELECT "IsoCode" AS cur, CAST("StartDate" AS DATE) AS s,
            coalesce(CAST("NextStartDate" AS DATE), DATE '9999-12-31') AS e,
            CAST("ConversionRate" AS DOUBLE) AS r
            FROM read_csv('{crm}/2026-11-05/DatedConversionRate.csv', all_varchar = true);
        CREATE VIEW hours AS SELECT "Employee_vod__c" AS owner, date_trunc('month',
        CAST("Review_Date__c" AS DATE)) AS month,
            sum(CAST("Duration_Minutes__c" AS INTEGER)) / 60.0 AS hours
            FROM report WHERE "IsDeleted" = 'false' AND "Status__c" IN ('Submitted', 'Approved')
              AND "Coaching_Level__c" = 'Rep' GROUP BY ALL;
        CREATE VIEW bookings AS SELECT "OwnerId" AS owner, date_trunc('month',
        CAST("CloseDate" AS DATE)) AS month,
            sum(CAST("Amount" AS DOUBLE) / r) AS usd
            FROM opp JOIN rate ON cur = "CurrencyIsoCode" 
                 AND CAST("CloseDate" AS DATE) >= s AND CAST("CloseDate" AS DATE) < e
            WHERE "IsDeleted" = 'false' AND "IsWon" = 'true' GROUP BY ALL;
    """)
    owners = [r[0] for r in con.execute('SELECT DISTINCT "QuotaOwnerId" FROM quota').fetchall()]
    con.execute("CREATE TABLE owner18 (id15 VARCHAR, id18 VARCHAR)")
    con.executemany("INSERT INTO owner18 VALUES (?, ?)", [(o, to18(o)) for o in owners])
    con.execute("""
        CREATE VIEW rep_month AS
        SELECT o.id18 AS owner, CAST(q."StartDate" AS DATE) AS month,
               sum(CAST(q."QuotaAmount" AS DOUBLE) / r) AS quota_usd
        FROM quota q JOIN owner18 o ON o.id15 = q."QuotaOwnerId"
             JOIN rate ON cur = q."CurrencyIsoCode" 
                  AND CAST(q."StartDate" AS DATE) >= s AND CAST(q."StartDate" AS DATE) < e
        WHERE CAST(q."StartDate" AS DATE) < DATE '2026-11-01'
        GROUP BY ALL;
        CREATE VIEW attainment AS
        SELECT rm.owner, rm.month, coalesce(h.hours, 0) AS hours, coalesce(b.usd, 0) / rm.quota_usd AS att
        FROM rep_month rm LEFT JOIN hours h USING (owner, month) LEFT JOIN bookings b USING (owner, month)
        WHERE rm.quota_usd > 0;
    """)
    return con


def test_heavily_coached_reps_attain_more(con):
    heavy, none = con.execute("""
        SELECT avg(att) FILTER (WHERE hours >= 3),
        avg(att) FILTER (WHERE hours = 0) FROM attainment""").fetchone()
    n_heavy, n_none = con.execute(
        "SELECT count(*) FILTER (WHERE hours >= 3), count(*) FILTER (WHERE hours = 0) FROM attainment"
    ).fetchone()
    print(f"rep-months >=3h: {n_heavy} at {heavy:.3f}; none: {n_none} at {none:.3f}")
    assert n_heavy >= 30 and n_none >= 30
    # the field's order of magnitude: ~107% with three hours or more a month, ~88% with none
    assert 0.98 <= heavy <= 1.20, heavy
    assert 0.78 <= none <= 0.95, none
    assert heavy - none >= 0.10


def test_more_coaching_goes_with_more_attainment_in_the_next_quarter(con):
    """Manager level: a coach's hours per coached rep in a quarter vs their attainment the next quarter."""
    rows = con.execute("""
        WITH r AS (SELECT "Manager_vod__c" AS coach, "Employee_vod__c" AS rep,
                          date_trunc('quarter', CAST("Review_Date__c" AS DATE)) AS q,
                          CAST("Duration_Minutes__c" AS INTEGER) AS minutes
                   FROM report WHERE "IsDeleted" = 'false' AND "Status__c" IN ('Submitted', 'Approved')
                     AND "Coaching_Level__c" = 'Rep'),
        coach_q AS (SELECT coach, q, sum(minutes) / 60.0 / count(DISTINCT rep) AS hours_per_rep,
                           list(DISTINCT rep) AS reps FROM r GROUP BY ALL),
        nxt AS (SELECT c.coach, c.q, c.hours_per_rep,
                       sum(coalesce(b.usd, 0)) / sum(rm.quota_usd) AS next_att
                FROM coach_q c, unnest(c.reps) AS u(rep)
                JOIN rep_month rm ON rm.owner = u.rep AND date_trunc('quarter',
                rm.month) = c.q + INTERVAL 3 MONTH
                LEFT JOIN bookings b ON b.owner = rm.owner AND b.month = rm.month
                WHERE c.q + INTERVAL 3 MONTH < DATE '2026-10-01'
                GROUP BY ALL)
        SELECT corr(hours_per_rep, next_att), count(*) FROM nxt""").fetchone()
    correlation, n = rows
    print(f"coach-quarters: {n}, correlation hours/rep vs next-quarter attainment {correlation:.2f}")
    assert n >= 15
    assert correlation > 0.2, rows
