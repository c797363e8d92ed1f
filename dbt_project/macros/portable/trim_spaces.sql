{#- The engine's own trim(x), which the parsers apply to every raw value (see README: DuckDB strips the
    Unicode spaces, Spark the ASCII space). On DuckDB it is spelled for speed: its trim() decodes each value
    to look for Unicode spaces at the ends, which on the large profile's 15 M call rows cost more than parsing
    the ids and stamps themselves. A value that is all ASCII (as many bytes as characters) with no space at
    either end is returned as it is, which is exactly what trim() returns for it (of the ASCII characters,
    DuckDB's trim() strips only the space); any other value goes through trim(). -#}
{% macro trim_spaces(text) -%}
    {{ return(adapter.dispatch('trim_spaces')(text)) }}
{%- endmacro %}

{% macro duckdb__trim_spaces(text) -%}
    (case when strlen({{ text }}) = length({{ text }}) and not starts_with({{ text }}, ' ')
        and not ends_with({{ text }}, ' ') then {{ text }} else trim({{ text }}) end)
{%- endmacro %}

{% macro default__trim_spaces(text) -%}
    trim({{ text }})
{%- endmacro %}
