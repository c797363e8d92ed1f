{#-
  "USD amount at a date" (metrics.md): amount / the DatedConversionRate of its currency valid on that
  date (StartDate inclusive, NextStartDate exclusive; USD = 1, see int_crm__usd_rates). Overlapping
  periods would be a bad file: the latest StartDate wins. A date no period covers gives no row (NULL USD).

  Returns a relation of (key, conversion_rate), one row per key of `relation` that has a rate:

      left join ({{ usd_rate_on('owned', 'opportunity_id', 'currency_code', 'close_date') }}) as at_close
          on owned.opportunity_id = at_close.opportunity_id
-#}
{% macro usd_rate_on(relation, key, currency, day) -%}
    select {{ key }}, conversion_rate
    from (
        select
            dated.{{ key }},
            rates.conversion_rate,
            row_number() over (partition by dated.{{ key }} order by rates.valid_from desc) as _rate_rank
        from {{ relation }} as dated
        inner join {{ ref('int_crm__usd_rates') }} as rates
            on dated.{{ currency }} = rates.currency_code
           and dated.{{ day }} >= rates.valid_from
           and (rates.valid_to_exclusive is null or dated.{{ day }} < rates.valid_to_exclusive)
    ) as ranked_rates
    where _rate_rank = 1
{%- endmacro %}
