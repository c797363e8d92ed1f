"""Dagster's SQLite event log, with its connections kept open between events (deploy/dagster.yaml).

Dagster's `SqliteEventLogStorage` builds a new SQLAlchemy engine, opens the database file, checks its tables
and throws it all away for every event it stores, two or three times per event (the run's own file, then
the cross-run index). A night records about nine hundred events (a planned and an evaluated event per dbt
test, a materialization per model): that cost about 15 s of a 70 s night on two cores, in the process
that also reads dbt's output. This subclass keeps one pooled engine per database file for the few files a
process writes, and remembers the tables it has seen; what it writes, and where, is Dagster's own code.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._config import StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.engine import Connection, Engine

# The index and the runs a process writes or reads at a time: a UI reading many old runs keeps few open.
OPEN_FILES = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that reuses one engine (a small connection pool) per database file."""

    def __init__(self, base_dir: str, inst_data: Any = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_seen: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> dict:
        # The instance's folder ($DAGSTER_HOME): the event files go where Dagster's default puts them, so
        # history written before or by the default storage is read the same.
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> PooledSqliteEventLogStorage:
        return cls(os.path.join(config_value["dagster_home"], "history", "runs", ""), inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        """The open engine of `shard`, created (and its tables migrated, once) on first use."""
        engine = self._engines.pop(shard, None)
        if engine is None:
            # Dagster's own connect arguments; the lock below (Dagster's) serialises every use, so a pooled
            # connection may serve any thread.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # most recently used last
        while len(self._engines) > OPEN_FILES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # Asked before most writes, some with the lock held; a table, once there, stays (migrations only
        # add tables), so Dagster's own check runs until it says yes.
        if table_name not in self._tables_seen and super().has_table(table_name):
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen

    def _forget_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._forget_engines()  # the run files are deleted: never write to an unlinked file
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._forget_engines()
