"""The warehouse built on Apache Spark instead of DuckDB (`coachwh run --engine spark`).

The gate and the source contracts stay on DuckDB: the raw tables are loaded there as always. Then
`exchange.stage_raw` copies them as Parquet into the exchange folder, the dbt project builds every model
and test on Spark with the target `spark` (its on-run-start hook registers the Parquet as the `raw`
source tables, macros/spark/), its on-run-end hook `export_marts_after_build` writes the marts back as Parquet
when nothing failed, and
`exchange.load_marts` puts them into the warehouse's `marts` schema, from where the publish step copies
them to the BI file exactly as after a DuckDB build.
"""
