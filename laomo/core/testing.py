"""Test helpers for races on real concurrent database connections (tests only; nothing in the app imports this).

    with shared_database(tmp_path):
        outcomes = concurrently(lambda: confirm(a), lambda: confirm(b))

`concurrently` runs each function in a thread of its own, all released at once, every thread on its own
connection; `shared_database` moves the in-memory SQLite test database to a file so that those connections
really lock each other (PostgreSQL needs nothing).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection, connections


def concurrently(*fns: Callable, timeout: float | None = 60, start_timeout: float = 30) -> list:
    """Run every `fn()` in a thread of its own, released together by a barrier; wait for them (`timeout` each).

    Returns one outcome a function, in order: what it returned, or the exception it raised. Each thread closes
    its database connections when done."""
    barrier = threading.Barrier(len(fns))
    outcomes: list = [None] * len(fns)

    def run(i: int, fn: Callable) -> None:
        try:
            barrier.wait(timeout=start_timeout)
            outcomes[i] = fn()
        except Exception as exc:  # noqa: BLE001  (handed to the test as the outcome)
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(fns)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    alive = sum(thread.is_alive() for thread in threads)
    if alive:
        raise AssertionError(f"{alive} of {len(threads)} threads still running after {timeout} s")
    return outcomes


def failures(outcomes: list, kind: type[BaseException] = Exception) -> list:
    """The outcomes of `concurrently` that are exceptions (of `kind`)."""
    return [o for o in outcomes if isinstance(o, kind)]


def successes(outcomes: list) -> list:
    """The outcomes of `concurrently` that are results, not exceptions."""
    return [o for o in outcomes if not isinstance(o, BaseException)]


def slowed(monkeypatch, owner, name: str, seconds: float) -> Callable:
    """Widen a race window: `owner.name` (a function of a module) pauses `seconds` after it returns, so that
    without the lock two callers would both act on what it read. Returns the real function."""
    real = getattr(owner, name)

    def slow(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(owner, name, slow)
    return real


@contextmanager
def shared_database(tmp_path, name: str = "concurrency.sqlite3"):
    """Every connection of the test, this thread's and the threads', on one database with real locking.

    The SQLite test database is in memory (shared cache), where a second writer fails at once with "table is
    locked" instead of waiting; so the data made so far is copied to a file database (WAL, busy timeout,
    IMMEDIATE transactions, as in production) and the connections made from now on go there. On PostgreSQL
    each thread's connection already reaches the test database: nothing to do."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    original = connections["default"]
    original.ensure_connection()
    path = str(tmp_path / name)
    target = sqlite3.connect(path)
    original.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = original.settings_dict  # the dict every new connection of this alias is made from
    memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = path
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        settings_dict["NAME"] = memory_name
        connections["default"] = original


def pk_samples(fixture: str, *url_names: str, param: str = "pk") -> dict[str, Callable]:
    """Role-matrix samples (a module's `tests/matrix.py` SAMPLES): each URL name takes the primary key of the
    matrix fixture `fixture` as its path parameter `param`."""
    return {name: (lambda f: {param: f[fixture].pk}) for name in url_names}
