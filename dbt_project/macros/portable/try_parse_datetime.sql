{#- Text -> TIMESTAMP by the first of `formats` (strftime patterns: %m %d %Y %H %M %S %I %p) that parses the
    whole text; NULL when none does. DuckDB: try_strptime; Spark: try_to_timestamp with the same patterns in
    Java's letters (a month or day of one or two digits parses on both). -#}
{% macro try_parse_datetime(text, formats) -%}
    {{ return(adapter.dispatch('try_parse_datetime')(text, formats)) }}
{%- endmacro %}

{% macro duckdb__try_parse_datetime(text, formats) -%}
    {%- if formats | length == 1 -%}
    try_strptime({{ text }}, '{{ formats[0] }}')
    {%- else -%}
    try_strptime({{ text }}, ['{{ formats | join("', '") }}'])
    {%- endif -%}
{%- endmacro %}

{% macro spark__try_parse_datetime(text, formats) -%}
    {%- set java_letters = {'%m': 'M', '%d': 'd', '%Y': 'yyyy', '%H': 'H', '%M': 'mm', '%S': 'ss', '%I': 'h', '%p': 'a'} -%}
    {%- set parsed = [] -%}
    {%- for format in formats -%}
        {%- set pattern = namespace(text=format) -%}
        {%- for strftime, java in java_letters.items() -%}
            {%- set pattern.text = pattern.text.replace(strftime, java) -%}
        {%- endfor -%}
        {%- if '%' in pattern.text -%}
            {{ exceptions.raise_compiler_error("try_parse_datetime: no Spark pattern for '" ~ format ~ "'") }}
        {%- endif -%}
        {%- do parsed.append("try_to_timestamp(" ~ text ~ ", '" ~ pattern.text ~ "')") -%}
    {%- endfor -%}
    {%- if parsed | length == 1 -%}
    {{ parsed[0] }}
    {%- else -%}
    coalesce({{ parsed | join(', ') }})
    {%- endif -%}
{%- endmacro %}
