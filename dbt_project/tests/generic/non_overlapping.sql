{#- The periods [`start_column`, `end_column`] (inclusive; a NULL end is open; with `end_exclusive`, the end is
    the first day after the period, [start, end) as a DatedConversionRate's NextStartDate) of one `partition_by` never
    overlap: in start order, each ends before the next one starts (when any two overlap, so do two
    consecutive ones; two periods with one start overlap too). A join keyed by `partition_by` and "the period
    holding day d" then finds at most one row, so the grain of a model built that way follows from this test
    on the periods (small) rather than from a test over the rows it built (millions). -#}
{% test non_overlapping(model, partition_by, start_column, end_column, end_exclusive=false) %}
select *
from (
    select
        {{ partition_by }} as partition_key,
        {{ start_column }} as period_start,
        {{ end_column }} as period_end,
        lead({{ start_column }}) over (
            partition by {{ partition_by }} order by {{ start_column }}, {{ end_column }}
        ) as next_start
    from {{ model }}
) as periods
where next_start is not null
  and (period_end is null or period_end {{ '>' if end_exclusive else '>=' }} next_start)
{% endtest %}
