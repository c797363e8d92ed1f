{#-
  Parsers for the text that lands in raw (every delivered column is text). Each returns NULL for an
  empty field AND for a value it cannot parse; the source tests `usable_values` (tests/generic) fail the
  build with the column's name whenever a non-empty raw value does not parse (`unparsable` below), so NULL
  here never hides bad data.
-#}

{#- Salesforce datetime `2026-11-26T02:13:45.000Z` (UTC) -> TIMESTAMP (UTC, naive). The contract admits that
    shape with up to six decimals of a second or none, and `Z`, `+0000` or `+00:00` (all UTC). DuckDB's cast reads
    each as it is (an offset is dropped, and the contract admits only zero ones); the portable spelling takes the
    `T` and the zone out first, because Spark's cast would move a zoned time into the session's time zone. On
    DuckDB the portable spelling cost three times the cast (string copies per value) on the large profile's 15 M
    calls, read twice by their staging model. The two agree on every value the contract admits, spaces around it
    or not (tests/staging/assert_parsers_agree.sql); they differ only on malformed values the gate's contract
    refuses (`…ZZ` is NULL on DuckDB, a trailing line break is read there). -#}
{% macro parse_sf_datetime(col) -%}
    {{ return(adapter.dispatch('parse_sf_datetime')(col)) }}
{%- endmacro %}

{% macro duckdb__parse_sf_datetime(col) -%}
    try_cast({{ trim_spaces(col) }} as timestamp)
{%- endmacro %}

{% macro default__parse_sf_datetime(col) -%}
    {{ try_cast_timestamp("replace(regexp_replace(" ~ trim_spaces(col) ~ ", '(Z|[+]00:?00)$', ''), 'T', ' ')") }}
{%- endmacro %}

{#- ISO date `YYYY-MM-DD` -> DATE. -#}
{% macro parse_iso_date(col) -%}
    {{ try_cast_date('trim(' ~ col ~ ')') }}
{%- endmacro %}

{#- HRIS / LMS date `MM/DD/YYYY` -> DATE. An Excel date cell read by the loader as ISO text
    (`2024-01-31` or `2024-01-31 00:00:00`) is accepted as well: both mean the same day. -#}
{% macro parse_us_date(col) -%}
    coalesce(
        cast({{ try_parse_datetime('trim(' ~ col ~ ')', ['%m/%d/%Y']) }} as date),
        {{ try_cast_date('trim(' ~ col ~ ')') }}
    )
{%- endmacro %}

{#- LMS `Last Modified`: `MM/DD/YYYY` with an optional time of day, or ISO (read as a Salesforce datetime is)
    -> TIMESTAMP. -#}
{% macro parse_us_timestamp(col) -%}
    coalesce(
        {{ try_parse_datetime('trim(' ~ col ~ ')', ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y %I:%M:%S %p',
                                                    '%m/%d/%Y %I:%M %p', '%m/%d/%Y']) }},
        {{ parse_sf_datetime(col) }}
    )
{%- endmacro %}

{#- Qualtrics `YYYY-MM-DD HH:MM:SS` (UTC) -> TIMESTAMP. -#}
{% macro parse_timestamp(col) -%}
    {{ try_cast_timestamp('trim(' ~ col ~ ')') }}
{%- endmacro %}

{#- true/false, Yes/No, Y/N, 1/0 (any case) -> BOOLEAN; anything else -> NULL. -#}
{% macro parse_flag(col) -%}
    case
        when lower(trim({{ col }})) in ('true', 'yes', 'y', '1') then true
        when lower(trim({{ col }})) in ('false', 'no', 'n', '0') then false
    end
{%- endmacro %}

{#- Picklist rating `4 - Advanced` -> 4 (the number in front); empty (not observed) -> NULL. -#}
{% macro parse_rating(col) -%}
    try_cast(trim(split_part(trim({{ col }}), '-', 1)) as integer)
{%- endmacro %}

{#- Numbers: amounts and rates -> DOUBLE, counts -> INTEGER (a value like `30.0` is accepted). -#}
{% macro parse_double(col) -%}
    try_cast(trim({{ col }}) as double)
{%- endmacro %}

{% macro parse_integer(col) -%}
    {{ try_double_to_integer('try_cast(trim(' ~ col ~ ') as double)') }}
{%- endmacro %}

{#- Employee ids (sources.md, Identity: "trimmed, and when all digits left-padded with zeros to six digits"):
    whitespace trimmed at both ends (trim_whitespace: spaces, tabs, line breaks), then, when the trimmed value
    is all ASCII digits and shorter than six, left-padded with zeros to six (`12` -> `000012`). Any other
    value is kept as trimmed: `C1043` stays `C1043` (it matches no HRIS id), and a longer value is not cut
    (lpad would cut it and match wrongly). Empty or whitespace only -> NULL. -#}
{% macro normalise_employee_id(col) -%}
    {%- set trimmed = trim_whitespace(col) -%}
    case
        when length({{ trimmed }}) between 1 and 5 and translate({{ trimmed }}, '0123456789', '') = ''
            then lpad({{ trimmed }}, 6, '0')
        else nullif({{ trimmed }}, '')
    end
{%- endmacro %}

{#- Text: whitespace trimmed at both ends (trim_whitespace: spaces, tabs, line breaks); empty -> NULL. -#}
{% macro clean_text(col) -%}
    nullif({{ trim_whitespace(col) }}, '')
{%- endmacro %}

{#- The SQL of "this raw text value is filled but does not parse as `kind`" (the staging parsers, with their
    try_ semantics: an unparsable value becomes null there). -#}
{% macro unparsable(column, kind) -%}
    {%- set parsed -%}
        {%- if kind == 'sf_datetime' -%}{{ parse_sf_datetime(column) }}
        {%- elif kind == 'iso_date' -%}{{ parse_iso_date(column) }}
        {%- elif kind == 'us_date' -%}{{ parse_us_date(column) }}
        {%- elif kind == 'us_timestamp' -%}{{ parse_us_timestamp(column) }}
        {%- elif kind == 'timestamp' -%}{{ parse_timestamp(column) }}
        {%- elif kind == 'flag' -%}{{ parse_flag(column) }}
        {%- elif kind == 'rating' -%}{{ parse_rating(column) }}
        {%- elif kind == 'double' -%}{{ parse_double(column) }}
        {%- elif kind == 'integer' -%}{{ parse_integer(column) }}
        {%- elif kind == 'sf_id' -%}{{ sf_id_18(column) }}
        {%- else -%}{{ exceptions.raise_compiler_error("unparsable: unknown kind '" ~ kind ~ "' for " ~ column) }}
        {%- endif -%}
    {%- endset -%}
    (nullif(trim({{ column }}), '') is not null and (({{ parsed }}) is null
        {%- if kind == 'rating' %} or ({{ parsed }}) not between 1 and 5{% endif %}))
{%- endmacro %}
