"""The API's contract with its callers: one OpenAPI component per schema name, and out-of-range parameters
answered in the JSON error shape (never an HTML 500)."""

import types
import typing

import pytest
from django.test import Client
from ninja import Schema

from laomo.api.api import api
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM


def _schemas_in(ann, found: set):
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin is not None:
        for a in args:
            _schemas_in(a, found)
        return
    if isinstance(ann, types.UnionType):
        for a in ann.__args__:
            _schemas_in(a, found)
        return
    if isinstance(ann, type) and issubclass(ann, Schema) and ann not in found:
        found.add(ann)
        for field in ann.model_fields.values():
            _schemas_in(field.annotation, found)


def operation_schemas() -> set[type]:
    """Every Schema class an operation reads or answers with, nested ones included."""
    found: set[type] = set()
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for op in path_view.operations:
                for model in op.models:
                    for field in model.model_fields.values():
                        _schemas_in(field.annotation, found)
                for model in op.response_models.values():
                    if isinstance(model, type) and hasattr(model, "model_fields"):
                        for field in model.model_fields.values():
                            _schemas_in(field.annotation, found)
    return {cls for cls in found if cls.__module__.startswith("laomo.")}


def test_it_gives_every_schema_its_own_component_name():
    by_name: dict[str, set[type]] = {}
    for cls in operation_schemas():
        by_name.setdefault(cls.__name__, set()).add(cls)
    clashes = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
               for name, classes in by_name.items() if len(classes) > 1}
    assert not clashes, f"rename the schema classes: {clashes}"
    components = api.get_openapi_schema()["components"]["schemas"]
    for name, (cls,) in by_name.items():
        if name in components:
            assert set(components[name].get("properties", {})) == set(cls.model_fields), name


@pytest.mark.parametrize("path,module,name", [
    ("/api/v1/campaigns", "laomo.outreach.api", "CampaignIn"),
    ("/api/v1/care-campaigns", "laomo.care.api", "CareCampaignIn"),
    ("/api/v1/hardship-surveys", "laomo.care.api", "HardshipSurveyIn"),
    ("/api/v1/retreat-surveys", "laomo.retreats.api", "RetreatSurveyIn"),
])
def test_it_documents_each_post_with_its_own_modules_body(path, module, name):
    from importlib import import_module

    schema = api.get_openapi_schema()
    ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{name}"
    cls = getattr(import_module(module), name)
    assert set(schema["components"]["schemas"][name]["properties"]) == set(cls.model_fields)


@pytest.fixture
def city(users):
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _json_refusal(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "extra"}
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/api/v1/workers?page=1000000000000000000000000000000",
    "/api/v1/workers?page=9223372036854775808",
    "/api/v1/service-records?page=1000001",
    "/api/v1/care-visits?page=99999999999999999999",
    "/api/v1/lectures?page=10000000000000000000000",
])
def test_it_refuses_a_page_beyond_the_bound_in_the_error_shape(city, url):
    body = _json_refusal(city.get(url), 422)
    assert "页码不能超过" in str(body["extra"])


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/api/v1/reports/summary?year=-1",
    "/api/v1/reports/summary?year=100000",
    "/api/v1/reports/summary?year=100000000000000000000000000000",
    "/api/v1/service-records?year=-1",
    "/api/v1/studios/figures?year=0",
    "/api/v1/care-campaigns?year=10000",
])
def test_it_refuses_a_year_out_of_range_in_the_error_shape(city, url):
    from laomo.core.years import MIN_YEAR, max_year

    body = _json_refusal(city.get(url), 422)
    assert f"年份应在 {MIN_YEAR} 到 {max_year()} 之间" in str(body["extra"])


@pytest.mark.django_db
def test_it_keeps_the_years_pages_accept(city):
    from laomo.core.years import max_year

    assert city.get("/api/v1/reports/summary?year=1949").status_code == 200
    assert city.get(f"/api/v1/reports/summary?year={max_year()}").status_code == 200
    assert city.get("/api/v1/workers?page=0").status_code == 200  # the first page, as on the list pages


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/api/v1/workers/100000000000000000000000000000",
    "/api/v1/service-teams/9223372036854775808",
    "/api/v1/service-records?team_id=100000000000000000000000000000",
    "/api/v1/retreat-batches?vendor=100000000000000000000000000000",  # was an HTML 500 (OverflowError on SQLite)
    "/api/v1/care-visits?worker_id=100000000000000000000000000000",  # idem
])
def test_it_answers_an_id_past_int64_in_the_error_shape(city, url):
    """What Python or the database cannot hold is the caller's mistake: 400 (or 404/422; PostgreSQL finds
    nothing for a filter), JSON, never a 500."""
    response = city.get(url)
    assert response.status_code in (200, 400, 404, 422), response.content[:300]
    body = response.json()
    assert set(body) == ({"items", "next"} if response.status_code == 200 else {"message", "extra"})


@pytest.mark.parametrize("exc", [OverflowError("Python int too large to convert to SQLite INTEGER"),
                                 ValueError("year 0 is out of range")])
def test_it_turns_out_of_range_errors_into_a_chinese_400(rf, exc):
    response = api.on_exception(rf.get("/api/v1/x"), exc)
    assert response.status_code == 400
    import json

    assert json.loads(response.content) == {"message": "请求参数超出允许范围。", "extra": {}}


def test_it_leaves_a_response_that_breaks_its_own_schema_a_server_error(rf):
    import pydantic

    class Out(pydantic.BaseModel):
        n: int

    with pytest.raises(pydantic.ValidationError):
        try:
            Out(n="x")
        except pydantic.ValidationError as exc:
            api.on_exception(rf.get("/api/v1/x"), exc)
