"""laomo.api.getter: API answers validated through FastDjangoGetter are exactly those of ninja's getter."""

import json

import pytest
from django.test import Client
from ninja import Schema
from ninja import schema as ninja_schema

from laomo.api.getter import FastDjangoGetter
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM

URLS = ["/api/v1/me", "/api/v1/workers", "/api/v1/care-visits", "/api/v1/service-records", "/api/v1/lectures",
        "/api/v1/studios", "/api/v1/reports/summary"]


def test_it_is_the_getter_ninja_uses():
    assert ninja_schema.DjangoGetter is FastDjangoGetter


@pytest.mark.django_db
def test_it_gives_the_answers_of_ninjas_own_getter(users, orgs, monkeypatch):
    from laomo.core.tests.test_query_counts import _batch  # workers, honors, lectures, records, visits

    _batch(orgs, "甲", users["city_staff"])
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    ours = {url: (client.get(url).status_code, client.get(url).content) for url in URLS}
    monkeypatch.setattr(ninja_schema, "DjangoGetter", FastDjangoGetter.__mro__[1])
    theirs = {url: (client.get(url).status_code, client.get(url).content) for url in URLS}
    assert ours == theirs and all(status == 200 and json.loads(body) for status, body in ours.values())
    assert len(json.loads(ours["/api/v1/workers"][1])["items"]) > 5


class Inner(Schema):
    a: int
    b: str = "default"


class Outer(Schema):
    name: str
    count: int
    called: str
    inner: Inner
    items: list[Inner]
    resolved: str = ""

    @staticmethod
    def resolve_resolved(obj):
        return "from the resolver"


class Thing:
    name = "物"
    count = 3
    inner = {"a": 1}
    items = ({"a": 2, "b": "x"},)

    def called(self):
        return "called"

    @property
    def resolved(self):
        raise AssertionError("the resolver answers this field")


@pytest.mark.parametrize("value", [
    {"name": "甲", "count": 2, "called": lambda: "called", "inner": {"a": 1}, "items": [{"a": 2, "b": "x"}],
     "resolved": "ignored"},
    Thing(),
])
def test_it_validates_dicts_and_objects_as_ninja_does(value, monkeypatch):
    ours = Outer.model_validate(value).model_dump()
    monkeypatch.setattr(ninja_schema, "DjangoGetter", FastDjangoGetter.__mro__[1])
    assert ours == Outer.model_validate(value).model_dump()
    assert ours["called"] == "called" and ours["resolved"] == "from the resolver" and ours["inner"]["b"] == "default"


def test_it_reports_a_missing_field_and_an_attribute_that_raises_as_ninja_does(monkeypatch):
    class Broken(Thing):
        @property
        def count(self):
            raise ValueError("broken")

    def errors(value):
        with pytest.raises(Exception) as caught:
            Outer.model_validate(value)
        return [(e["type"], e["loc"]) for e in caught.value.errors()]

    ours = [errors({"name": "甲"}), errors(Broken())]
    monkeypatch.setattr(ninja_schema, "DjangoGetter", FastDjangoGetter.__mro__[1])
    assert ours == [errors({"name": "甲"}), errors(Broken())]
