{#- Text without whitespace at either end: ASCII whitespace (tab, line feed, vertical tab, form feed, carriage
    return, space) and the Unicode space separators (category Zs: no-break space, em space, ideographic space,
    ...), in any mix; whitespace inside the text is kept, NULL stays NULL. The engines' own trim() differ
    (DuckDB's strips the Zs spaces only, not a tab or a line break; Spark's only the ASCII space), so this is a
    regex both read alike (RE2, Java), spelled per engine: a DuckDB string literal keeps a backslash as it is,
    Spark's parser reads it as an escape (so it is doubled there), and DuckDB replaces every match with 'g'. -#}
{% macro trim_whitespace(text) -%}
    {{ return(adapter.dispatch('trim_whitespace')(text)) }}
{%- endmacro %}

{% macro duckdb__trim_whitespace(text) -%}
    regexp_replace({{ text }}, '^[\t\n\x0B\f\r\p{Zs}]+|[\t\n\x0B\f\r\p{Zs}]+$', '', 'g')
{%- endmacro %}

{% macro spark__trim_whitespace(text) -%}
    regexp_replace({{ text }}, '^[\\t\\n\\x0B\\f\\r\\p{Zs}]+|[\\t\\n\\x0B\\f\\r\\p{Zs}]+$', '')
{%- endmacro %}
