"""The landing gate: nightly batches in the drop zone become raw tables in the warehouse, or are refused.

Modules, in the order a batch meets them:
  zone       find batch folders, move them to the archive or the quarantine, write REJECTED.md
  manifest   read manifest.json and check the folder against it (files present, none unexpected)
  formats    header checks (CSV, Qualtrics), xlsx to CSV, and the exact diagnosis of a malformed CSV
  loader     DuckDB: connection settings and the bulk load of one file into its raw table
  registry   the `ops` schema: every batch seen and what became of it
  ingest     ingest_pending(): the whole gate, one DuckDB transaction per batch
"""
