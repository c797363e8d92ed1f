"""One module per area, each returning its Dagster definitions; `pipelines.definitions` assembles them."""
