{#-
  "USD amount at a date" (metrics.md): amount / the DatedConversionRate of its currency valid on that
  date (StartDate inclusive, NextStartDate exclusive; USD = 1, see int_crm__usd_rates). Overlapping
  periods would be a bad file: the latest StartDate wins. A date no period covers gives no row (NULL USD).

  Returns a relation of (key, conversion_rate), one row per key of `relation` that has a rate:

      left join ({{ usd_rate_on('owned', 'opportunity_id', 'currency_code', 'close_date') }}) as at_close
          on owned.opportunity_id = at_close.opportunity_id
-#}
{% macro usd_rate_on(relation, key, currency, day) -%}
    {#- The rate is looked up once per distinct (currency, day), then joined back by equality: rows share
        few close dates, and the range join matches each looked-up day with every period of its currency
        (684 k opportunities x ~50 periods on the large profile, against ~5 k distinct days). -#}
    select dated.{{ key }}, day_rates.conversion_rate
    from {{ relation }} as dated
    inner join (
        select currency_code, rate_day, conversion_rate
        from (
            select
                days.currency_code,
                days.rate_day,
                rates.conversion_rate,
                row_number() over (
                    partition by days.currency_code, days.rate_day order by rates.valid_from desc
                ) as _rate_rank
            from (
                select distinct {{ currency }} as currency_code, {{ day }} as rate_day from {{ relation }}
            ) as days
            inner join {{ ref('int_crm__usd_rates') }} as rates
                on days.currency_code = rates.currency_code
               and days.rate_day >= rates.valid_from
               and (rates.valid_to_exclusive is null or days.rate_day < rates.valid_to_exclusive)
        ) as ranked_rates
        where _rate_rank = 1
    ) as day_rates
        on dated.{{ currency }} = day_rates.currency_code
       and dated.{{ day }} = day_rates.rate_day
{%- endmacro %}
