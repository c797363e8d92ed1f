{#- USD amount = amount ÷ the units of the currency one USD buys (DatedConversionRate).
    Held as DECIMAL(38, 10), not DOUBLE: decimal sums are exact and independent of the order DuckDB adds
    rows in, so an incremental build and a full build give the very same marts, bit for bit. -#}
{% macro to_usd(amount, rate) -%}
    cast({{ amount }} / {{ rate }} as decimal(38, 10))
{%- endmacro %}
