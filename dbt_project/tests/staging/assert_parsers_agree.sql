{{ config(enabled=target.type == 'duckdb') }}
-- DuckDB spells two staging parsers for speed (macros/portable/trim_spaces.sql, parse_sf_datetime in
-- macros/staging/parse.sql); on these values the fast spelling must give what the plain one gives. A row
-- here is a value on which they disagree. Text values: spaces, Unicode spaces, tabs and line breaks at
-- either end, non-ASCII letters. Datetimes: the Salesforce forms the contract admits, at calendar edges. And
-- the LMS parser reads an ISO stamp (through parse_sf_datetime) as the same instant as its US form.
with texts as (
    select x from (values
        ('a'), (''), (' '), ('  '), (' a'), ('a '), (' a b '), ('a b'), ('é'), (' é '), ('ça '),
        (chr(160) || 'a'), ('a' || chr(12288)), (chr(9) || 'a'), ('a' || chr(10)), (chr(133) || 'a'),
        ('005Ab00000XyZ12IAF'), (' 005Ab00000XyZ12 '), (cast(null as string))
    ) as t(x)
),

datetimes as (
    select x from (values
        ('2026-11-26T02:13:45.000Z'), (' 2026-11-26T02:13:45.000Z '), ('2024-02-29T23:59:59.000Z'),
        ('2023-02-29T00:00:00.000Z'), ('2000-01-01T00:00:00.000Z'), ('1999-12-31T23:59:59.000Z'),
        ('0001-01-01T00:00:00.000Z'), ('9999-12-31T23:59:59.000Z'), ('2026-13-01T00:00:00.000Z'),
        ('2026-11-26T02:13:45.456Z'), ('2026-11-26T02:13:45Z'), ('2026-11-26T02:13:45.5Z'),
        ('2026-11-26T02:13:45.123456Z'), ('2026-11-26T02:13:45.000+0000'), ('2026-11-26T02:13:45+00:00'),
        (''), ('not a date'), (cast(null as string))
    ) as d(x)
),

lms_stamps as (
    select iso, us from (values
        ('2025-02-15T17:30:00.000Z', '02/15/2025 17:30:00'), ('2025-02-15 17:30:00', '02/15/2025 17:30:00'),
        (' 2024-02-29 ', '02/29/2024')
    ) as l(iso, us)
)

select 'trim_spaces' as parser, x
from texts
where {{ duckdb__trim_spaces('x') }} is distinct from trim(x)
union all
select 'parse_sf_datetime' as parser, x
from datetimes
where {{ duckdb__parse_sf_datetime('x') }} is distinct from {{ default__parse_sf_datetime('x') }}
union all
select 'parse_us_timestamp' as parser, iso as x
from lms_stamps
where {{ parse_us_timestamp('iso') }} is distinct from {{ parse_us_timestamp('us') }}
    or {{ parse_us_timestamp('iso') }} is null
