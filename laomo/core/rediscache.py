"""Django's Redis cache backend, keeping one client per connection pool (issue 16).

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call; its constructor fills
the ~170 response callbacks of the protocol each time (~0.15 ms of CPU, two or three calls a page). A
`redis.Redis` over a connection pool is safe to share between threads (each command takes a connection from
the pool), so one per pool does the same work without it. Everything else is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
