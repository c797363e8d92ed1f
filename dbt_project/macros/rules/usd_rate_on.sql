{#-
  "USD amount at a date" (metrics.md): amount / the DatedConversionRate of its currency valid on that
  date (StartDate inclusive, NextStartDate exclusive; USD = 1, see int_crm__usd_rates). Overlapping
  periods would be a bad file: the latest StartDate wins. A date no period covers gives no row (NULL USD).

  Returns a relation of (currency_code, rate_day, conversion_rate): the rate of each distinct (currency,
  day) of `relation` that has one, to be joined on both:

      left join ({{ usd_rate_on('owned', 'currency_code', 'close_date') }}) as at_close
          on owned.currency_code = at_close.currency_code and owned.close_date = at_close.rate_day
-#}
{% macro usd_rate_on(relation, currency, day) -%}
    {#- Looked up once per distinct (currency, day): rows share few days, and the range join matches each
        looked-up day with every period of its currency (684 k opportunities x ~50 periods on the large
        profile, against ~5 k distinct days). The caller joins the rates on (currency, day) directly: joining
        them back through each row's own key cost two more joins of the rows (0.3 s a night on the large
        profile's opportunities, half the model). -#}
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
{%- endmacro %}
