"""Reading a Dagster event's metadata: Dagster wraps each value (`TextMetadataValue`, `JsonMetadataValue`, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def metadata_value(metadata: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """The plain value under `key` (`default` when there is none)."""
    v = metadata.get(key)
    return default if v is None else getattr(v, "value", v)
