"""Querysets compiled to SQL once and run again with other parameter values (issue 16).

The few queries every request makes (the API token and its user, the session's user, the user's roles
and permissions) cost far more to build than to run: the ORM resolves the lookups, the joins and the
select list and compiles them to SQL on every call (~0.3–0.5 ms each, ~0.05 ms in the database).
`PreparedQuery` builds its queryset once per database connection kind, with sentinel values in place of
the parameters, keeps the SQL, the converters and the model population that Django's own iterables
would use, and then only executes the SQL with the real values:

    TOKEN = PreparedQuery(lambda key: ApiToken.objects.select_related("user").filter(key_hash=key), "x")
    tokens = TOKEN.objects(key_hash)          # model instances (with their annotations), as iterating gives
    ROLES = PreparedQuery(lambda pk: Group.objects.filter(user=pk).values_list("name"), 0)
    names = ROLES.rows(user.pk)              # tuples, as values_list gives

Each call is one query through the connection's cursor, so it is counted (assertNumQueries, execute
wrappers) and always reads the database: nothing is cached but the SQL. Only exact-value parameters
are supported (`field=value`): each sentinel must appear as a query parameter as it was given.

On PostgreSQL the statement is also prepared on the server, once per database connection (`PREPARE`, then
`EXECUTE name(values)`): planning the session user's query (a join and four subqueries) took 0.33 ms of the
server's time on every request, more than running it (0.13 ms). A statement the server cannot prepare (a
parameter whose type it cannot infer) runs as plain SQL. `LAOMO_PG_PREPARE=0` turns this off, for a
connection pooler in transaction mode (PgBouncer), whose server connections do not keep a client's
prepared statements (docs/deployment.md).
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, router
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

# Sentinels stand for the parameters while the query is compiled: values no caller passes.
_STR_SENTINEL = "\x00laomo-prepared-{}"
_INT_SENTINEL = 987_654_300


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple
    slots: tuple  # per parameter of the call, the positions of the SQL parameters it fills
    converters: tuple  # (position, converter functions, expression), as SQLCompiler.get_converters gives
    model: type | None  # None: rows as tuples
    init_list: tuple = ()
    model_slice: tuple = (0, 0)
    related_populators: tuple = ()
    annotations: tuple = ()  # (attribute, position) of each annotate()d value, set on the instance as Django does
    # On PostgreSQL, (name on the server, PREPARE statement, EXECUTE statement with %s placeholders); else None.
    prepare: tuple | None = field(default=None, compare=False)


_names = itertools.count(1)
_unpreparable: set[str] = set()  # names the server refused to prepare: run as plain SQL from then on
_PLACEHOLDER = re.compile(r"%(%|s)")


def _server_statement(sql: str, count: int, table: str) -> tuple:
    """(name, PREPARE text, EXECUTE text) of `sql` with `count` %s parameters (%% is a literal %). The name
    holds the queried table's, so that a query log still tells which table an `EXECUTE` reads."""
    numbers = itertools.count(1)
    body = _PLACEHOLDER.sub(lambda m: "%" if m.group(1) == "%" else f"${next(numbers)}", sql)
    name = f"laomo_q{next(_names)}_{table}"[:63]
    args = f"({', '.join(['%s'] * count)})" if count else ""
    return name, f"PREPARE {name} AS {body}", f"EXECUTE {name}{args}"


class PreparedQuery:
    def __init__(self, build, *samples):
        """`build(*values)` returns the queryset; `samples` are example values giving each parameter's type
        (a str or an int)."""
        self._build = build
        self._kinds = tuple(str if isinstance(s, str) else int for s in samples)
        self._plans: dict = {}
        self._lock = threading.Lock()

    def _sentinels(self):
        return tuple(_STR_SENTINEL.format(i) if kind is str else _INT_SENTINEL + i
                     for i, kind in enumerate(self._kinds))

    def _plan(self, alias: str, model: bool) -> _Plan:
        key = (alias, connections[alias].settings_dict["ENGINE"], model)
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or self._compile(alias, model)
                self._plans[key] = plan
        return plan

    def _compile(self, alias: str, model: bool) -> _Plan:
        sentinels = self._sentinels()
        qs = self._build(*sentinels)
        expected = ModelIterable if model else ValuesListIterable
        if qs._iterable_class is not expected or qs._known_related_objects or qs._prefetch_related_lookups:
            raise TypeError(f"PreparedQuery: {'a plain model' if model else 'a values_list'} queryset needed")
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = tuple(tuple(i for i, p in enumerate(params) if p == s) for s in sentinels)
        if not all(slots):
            raise ValueError("PreparedQuery: a parameter does not reach the SQL as given (exact lookups only)")
        prepare = (_server_statement(sql, len(params), qs.model._meta.db_table)
                   if connections[alias].vendor == "postgresql" and settings.LAOMO_PG_PREPARE else None)
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        converters = tuple((pos, tuple(convs), expr)
                           for pos, (convs, expr) in compiler.get_converters(fields).items())
        if not model:
            return _Plan(sql, tuple(params), slots, converters, None, prepare=prepare)
        klass_info, select = compiler.klass_info, compiler.select
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            sql, tuple(params), slots, converters, klass_info["model"],
            init_list=tuple(f[0].target.attname for f in select[start:end]), model_slice=(start, end),
            related_populators=tuple(get_related_populators(klass_info, select, alias)),
            annotations=tuple(compiler.annotation_col_map.items()), prepare=prepare,
        )

    def _execute(self, plan: _Plan, alias: str, values) -> list[list]:
        params = list(plan.params)
        for positions, value in zip(plan.slots, values, strict=True):
            for i in positions:
                params[i] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(self._statement(plan, connection), params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for pos, convs, expr in plan.converters:
                value = row[pos]
                for convert in convs:
                    value = convert(value, expr, connection)
                row[pos] = value
        return rows

    @staticmethod
    def _statement(plan: _Plan, connection) -> str:
        """The SQL to send: `EXECUTE` of the statement prepared on this connection (preparing it first), or
        the plain SQL."""
        if plan.prepare is None:
            return plan.sql
        name, prepare_sql, execute_sql = plan.prepare
        if name in _unpreparable:
            return plan.sql
        # The statements prepared on this connection (Django's wrapper is the thread's own; psycopg's connection
        # under it is new after a reconnection, which starts without them).
        raw = connection.connection  # the cursor just made sure it is open
        state = getattr(connection, "_laomo_prepared", None)
        if state is None or state[0] is not raw:
            state = connection._laomo_prepared = (raw, set())
        done = state[1]
        if name not in done:
            # On psycopg's own cursor: once per connection, not one of the request's queries (query counts stay
            # the same whichever test or request comes first); in a savepoint inside a transaction, so that a
            # refusal does not abort the caller's.
            with raw.cursor() as cursor:
                savepoint = not connection.get_autocommit()
                if savepoint:
                    cursor.execute("SAVEPOINT laomo_prepare")
                try:
                    cursor.execute(prepare_sql)
                except connection.Database.Error:
                    if savepoint:
                        cursor.execute("ROLLBACK TO SAVEPOINT laomo_prepare")
                    _unpreparable.add(name)
                    return plan.sql
                finally:
                    if savepoint:
                        cursor.execute("RELEASE SAVEPOINT laomo_prepare")
            done.add(name)
        return execute_sql

    def rows(self, *values, using: str | None = None) -> list[tuple]:
        """The rows of a values_list queryset, as tuples."""
        alias = using or router.db_for_read(self._model())
        return [tuple(row) for row in self._execute(self._plan(alias, False), alias, values)]

    def objects(self, *values, using: str | None = None) -> list:
        """The model instances of a model queryset, with their select_related objects."""
        alias = using or router.db_for_read(self._model())
        plan = self._plan(alias, True)
        start, end = plan.model_slice
        found = []
        for row in self._execute(plan, alias, values):
            obj = plan.model.from_db(alias, plan.init_list, row[start:end])
            for populator in plan.related_populators:
                populator.populate(row, obj)
            for attribute, pos in plan.annotations:
                setattr(obj, attribute, row[pos])
            found.append(obj)
        return found

    def _model(self):
        model = getattr(self, "_model_cls", None)
        if model is None:
            model = self._model_cls = self._build(*self._sentinels()).model
        return model
