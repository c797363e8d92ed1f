{#-
  Salesforce 15-character (case-sensitive) id -> 18-character (case-safe) id.
  The suffix is three characters, one per 5-character chunk of the id: bit i of a chunk's value is set
  when its i-th character (from the left) is an upper-case letter A-Z; the value (0-31) indexes
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'. An 18-character id is returned unchanged (trimmed); anything else
  (empty, wrong length) gives NULL, which a not_null test on the converted column turns into a loud failure.
-#}
{% macro sf_id_18(col) -%}
    {%- set trimmed = trim_spaces(col) %}
    case
        when length({{ trimmed }}) = 18 then {{ trimmed }}
        when length({{ trimmed }}) = 15 then {{ trimmed }}
        {%- for chunk in range(3) %}
            || substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', 1 + (
                {%- for i in range(5) %}
                (case when substr({{ trimmed }}, {{ chunk * 5 + i + 1 }}, 1) between 'A' and 'Z' then {{ 2 ** i }} else 0 end){{ ' +' if not loop.last }}
                {%- endfor %}
            ), 1)
        {%- endfor %}
    end
{%- endmacro %}
