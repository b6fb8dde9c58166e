"""django-ninja's attribute getter with the plain values of an answer looked up once (issue 16).

Every API answer is validated against its response schema: for each nested object (a list's items, their
honors, the org of /me…) ninja wraps the value in a `DjangoGetter`, and pydantic asks it for every field
through `__getattr__` — a Python call, a resolver lookup and a conversion per field, ~20% of an API
list's CPU. `FastDjangoGetter` asks the wrapped dict or object for the schema's fields once, when the
getter is made, and stores the results in the getter's `__dict__`, where pydantic's `getattr` finds them
without calling `__getattr__`. What is stored is exactly what `__getattr__` would have returned:

- a dict: its values of plain types (str, numbers, dates, lists, dicts…), which `_convert_result` returns
  unchanged; anything else (a manager, a queryset, a callable, a file) stays with `__getattr__`;
- a model instance or other object: the converted attribute, as `__getattr__` computes it; a field whose
  attribute raises stays with `__getattr__` (which raises again, inside pydantic's validation, as before);
- fields with a `resolve_<field>` resolver are left to `__getattr__`, which runs the resolver.

Installed by laomo.api's AppConfig.ready (ninja looks the class up by name when validating).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from ninja import schema as ninja_schema

_PLAIN = frozenset({str, int, float, bool, type(None), date, datetime, time, timedelta, Decimal, UUID, list, dict,
                    tuple})
_NAMES: dict[type, tuple[str, ...]] = {}


def _names(schema_cls) -> tuple[str, ...]:
    """The attribute names pydantic asks for: each field's alias (or name), those with a resolver left out."""
    names = _NAMES.get(schema_cls)
    if names is None:
        resolvers = getattr(schema_cls, "_ninja_resolvers", {}) or {}
        names = []
        for name, field in schema_cls.model_fields.items():
            key = field.validation_alias if isinstance(field.validation_alias, str) else (field.alias or name)
            if key not in resolvers and name not in resolvers:
                names.append(key)
        names = _NAMES[schema_cls] = tuple(names)
    return names


class FastDjangoGetter(ninja_schema.DjangoGetter):
    __slots__ = ()

    def __init__(self, obj, schema_cls, context=None):
        super().__init__(obj, schema_cls, context)
        names = _names(schema_cls)
        found = self.__dict__
        if isinstance(obj, dict):
            for name in names:
                if name in obj:
                    value = obj[name]
                    if value.__class__ in _PLAIN:
                        found[name] = value
        elif not isinstance(obj, ninja_schema.BaseModel):
            for name in names:
                try:
                    value = getattr(obj, name)
                except Exception:  # noqa: BLE001 (left to __getattr__, which raises it inside the validation)
                    continue
                found[name] = self._convert_result(value)


def install() -> None:
    ninja_schema.DjangoGetter = FastDjangoGetter
