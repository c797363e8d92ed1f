"""The coaching-effectiveness warehouse: Dagster code, landing gate and sample generator."""
