{#-
  An e-mail as identity compares it (sources.md: "e-mail (case-insensitive, trimmed)"): trimmed, then case-folded
  the way Unicode defines case-insensitive matching, so that every engine and a reader's Python `casefold()` agree.
  lower() alone does not: DuckDB lowers U+0130 (capital I with dot above) to a plain "i" and a final capital sigma
  to a medial one, Spark (Java) to "i" + U+0307 (combining dot above) and to a final sigma (U+03C2). So U+0130 is
  turned into "i" + U+0307 before lower(), as Unicode's folding does, and a final sigma into a medial one
  (U+03C3) after it, as Unicode's folding does too: a Greek address then matches whichever sigma it was typed
  with, and the same address matches the same worker on DuckDB and on Spark.
-#}
{% macro email_key(col) -%}
    replace(lower(replace({{ clean_text(col) }}, 'İ', 'i̇')), 'ς', 'σ')
{%- endmacro %}
