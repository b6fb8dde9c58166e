"""laomo's Redis cache backend: Django's, with one client per connection pool (laomo/core/rediscache.py)."""

import threading
import uuid

import pytest
import redis

from laomo.core.rediscache import RedisCache

URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(URL).ping()
    except redis.exceptions.ConnectionError:  # the machine's Redis is started before the session and CI
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return RedisCache(URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})


def test_it_keeps_one_client_per_connection_pool(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client and cache._cache.get_client("k", write=True) is client


def test_it_stores_reads_and_deletes_as_djangos(cache):
    cache.set("a", {"figures": [1, 2]}, 30)
    assert cache.get("a") == {"figures": [1, 2]} and cache.get("missing", "x") == "x"
    cache.set_many({"b": 1, "c": "二"}, 30)
    assert cache.get_many(["a", "b", "c", "d"]) == {"a": {"figures": [1, 2]}, "b": 1, "c": "二"}
    assert cache.add("b", 2) is False and cache.incr("b") == 2
    cache.delete_many(["a", "b", "c"])
    assert cache.get_many(["a", "b", "c"]) == {}


def test_it_answers_every_thread_with_the_shared_client(cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"t{n}-{i}", i, 30)
                assert cache.get(f"t{n}-{i}") == i
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    cache.delete_many([f"t{n}-{i}" for n in range(4) for i in range(50)])
