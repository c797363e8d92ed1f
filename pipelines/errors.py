"""The one kind of error a person at the command line fixes themselves.

A `CommandError` says what to change (a setting, an argument, a missing landing zone, a report asked for
before anything was published): `coachwh` prints its message alone and exits 2, where any other exception is
a bug and keeps its traceback. Inside a Dagster run it fails its step once, like every error that is not
transient (pipelines/defs/retries.py).
"""


class CommandError(Exception):
    """An error whose message is the whole story: no traceback is needed to act on it."""
