"""The rows partials in Jinja2 (laomo/core/jinja.py, issue 16) write what Django's engine wrote.

Where the two languages differ under the same spelling, the Jinja form the partials use is compared with the
Django form they replaced, on the values where they differ: `default` (Django's replaces any falsy value,
Jinja's only an undefined one), `forloop`/`loop`, `|add`, `{% empty %}`/`{% else %}`, None, missing
variables, numbers and dates (localized by Django), a dict key named like a dict method, and escaping
(Django writes `&quot;` and `&#x27;`, markupsafe `&#34;` and `&#39;`). The lists' rows themselves are
compared with their reference markup in test_list_rows.py.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import TemplateDoesNotExist, engines
from django.utils.safestring import mark_safe
from markupsafe import Markup

from conftest import login_client
from laomo.care.tests import factories as care_f

HOSTILE = "<b>x</b> & \"引号\" 'it's'"


def _django(source: str, context: dict) -> str:
    return engines["django"].from_string(source).render(context)


def _jinja(source: str, context: dict) -> str:
    return engines["jinja2"].from_string(source).render(context)


def _same(django_source: str, jinja_source: str, contexts) -> None:
    for context in contexts:
        got, expected = _jinja(jinja_source, dict(context)), _django(django_source, dict(context))
        assert got == expected, (jinja_source, context, got, expected)


def test_it_replaces_any_falsy_value_by_default_as_django_does():
    values = [{"v": v} for v in ("", None, 0, False, [], "x", 3)] + [{}]
    _same('{{ v|default:"—" }}', '{{ v|default("—", true) }}', values)
    # Jinja's own `default` (without boolean=True) keeps "" and None: the partials must not use it.
    assert _jinja('{{ v|default("—") }}', {"v": ""}) == "" and _django('{{ v|default:"—" }}', {"v": ""}) == "—"
    assert _jinja('{{ v|default("—") }}', {"v": None}) == "None"


def test_it_numbers_loops_and_their_empty_branch_as_django_does():
    lists = [{"xs": xs} for xs in ([], ["a"], ["a", "b", "c"])] + [{}]
    _same("{% for x in xs %}{{ forloop.counter }}{{ x }}{% if not forloop.last %}、{% endif %}"
          "{% empty %}无{% endfor %}",
          "{% for x in xs %}{{ loop.index }}{{ x }}{% if not loop.last %}、{% endif %}{% else %}无{% endfor %}", lists)
    _same("{% for code, label in xs %}{{ code }}={{ label }};{% endfor %}",
          "{% for code, label in xs %}{{ code }}={{ label }};{% endfor %}", [{"xs": [("a", "甲"), ("b", "乙")]}])


def test_it_adds_to_the_page_number_as_django_does():
    _same("{{ page|add:'-1' }} {{ page|add:'1' }} {% if page > 1 %}后{% endif %}",
          "{{ page - 1 }} {{ page + 1 }} {% if page > 1 %}后{% endif %}", [{"page": p} for p in (1, 2, 10)])


def test_it_writes_none_missing_values_and_booleans_as_django_does():
    _same("[{{ v }}]", "[{{ v }}]", [{"v": None}, {}, {"v": True}, {"v": False}, {"v": 0}])
    assert _jinja("{{ v }}", {"v": None}) == "None"  # as Django: a cell that may be None is prepared as text
    _same("[{{ d.missing }}][{{ d.k }}]", "[{{ d.missing }}][{{ d.k }}]", [{"d": {"k": "v"}}, {}])


def test_it_reads_a_dict_key_before_an_attribute_as_django_does():
    row = {"items": "条目", "values": 3, "get": "取", "name": "名"}
    source = "{{ r.items }} {{ r.values }} {{ r.get }} {{ r.name }}"
    _same(source, source, [{"r": row}])


def test_it_localizes_numbers_and_dates_as_django_does(settings):
    aware = datetime(2022, 12, 31, 20, 30, tzinfo=ZoneInfo("UTC"))  # 1 January in local time
    values = [{"v": v} for v in (0, 7, -3, 12345, Decimal("2.50"), Decimal("0"), 1.5, date(2022, 1, 2), aware)]
    _same("{{ v }}", "{{ v }}", values)
    settings.USE_THOUSAND_SEPARATOR = True
    _same("{{ v }}", "{{ v }}", values)
    _same('{{ v|date:"Y-m-d H:i" }}|{{ v|date:"H:i" }}', '{{ v|date("Y-m-d H:i") }}|{{ v|date("H:i") }}',
          [{"v": aware}])
    _same('{{ v|date:"Y-m-d" }}|{{ v|date:"m-d" }}|{{ v|date:"Y年n月j日" }}',
          '{{ v|date("Y-m-d") }}|{{ v|date("m-d") }}|{{ v|date("Y年n月j日") }}',
          [{"v": aware}, {"v": date(2022, 1, 2)}])


def test_it_escapes_user_text_as_django_does_and_keeps_safe_html():
    texts = [{"v": v} for v in (HOSTILE, "&#34;", "&amp;", "无需转义", "a'b\"c<d>e&f")]
    _same("{{ v }}", "{{ v }}", texts)
    _same('<i title="{{ v }}">{{ v }}</i>', '<i title="{{ v }}">{{ v }}</i>', texts)
    assert _jinja("{{ v }}", {"v": HOSTILE}) == "&lt;b&gt;x&lt;/b&gt; &amp; &quot;引号&quot; &#x27;it&#x27;s&#x27;"
    # Django's safe strings (a row's prepared link, a badge) and Jinja's Markup pass as they are, both ways.
    _same("{{ v }}", "{{ v }}", [{"v": mark_safe('<a href="/x/?a=1&b=2">链接</a>')}])
    assert _django("{{ v }}", {"v": Markup("<em>已转义</em>")}) == "<em>已转义</em>"


def test_it_keeps_the_last_newline_of_a_template_as_django_does():
    _same("行\n", "行\n", [{}])


@pytest.mark.parametrize("page", [1, 2, 3])
@pytest.mark.parametrize("has_next", [False, True])
@pytest.mark.parametrize("query", ["", "q=%E7%8E%8B&void=all", "a=<\"'>&b=1"])
def test_it_pages_as_the_django_pager_does(page, has_next, query):
    context = {"page": page, "has_next": has_next, "query": query}
    calls = [("", ""), (' with target="studio-rows"', ', target="studio-rows"'),
             (' with pager_url="/care/campaigns/1/recipients/"', ', pager_url="/care/campaigns/1/recipients/"')]
    for django_args, jinja_args in calls:
        _same(f'<div>{{% include "partials/pager.html"{django_args} %}}</div>\n',
              f'{{% from "partials/pager.jinja" import pager %}}<div>{{{{ pager(page, has_next, query{jinja_args}) }}}}'
              "</div>\n", [context])


def test_it_leaves_django_templates_to_django():
    jinja = engines["jinja2"]
    for name in ("base.html", "partials/pager.html", "workers/worker_list.html"):
        with pytest.raises(TemplateDoesNotExist):
            jinja.get_template(name)
    assert jinja.get_template("workers/partials/worker_rows.jinja")


LISTS = ["/workers/", "/care/visits/?void=all", "/volunteering/records/", "/volunteering/requests/",
         "/outreach/lectures/", "/studios/", "/retreats/"]


@pytest.mark.django_db
def test_it_shows_the_rows_partial_in_the_page_as_htmx_gets_it(orgs, users):
    care_f.worker(orgs["331102"], "甲劳模", level="provincial")
    client = login_client(users["city_staff"])
    for url in LISTS:
        rows = client.get(url, HTTP_HX_REQUEST="true")
        page = client.get(url)
        assert rows.status_code == page.status_code == 200, url
        assert rows["Content-Type"] == page["Content-Type"] == "text/html; charset=utf-8"
        body = rows.content.decode()
        assert "<table" in body and "<html" not in body and "分页" in body, url
        assert f">{body}</div>" in page.content.decode(), url


@pytest.mark.django_db
def test_it_escapes_a_workers_name_in_the_list(orgs, users):
    worker = care_f.worker(orgs["331102"], HOSTILE, level="provincial")
    client = login_client(users["city_staff"])
    for response in (client.get("/workers/", HTTP_HX_REQUEST="true"), client.get("/workers/")):
        body = response.content.decode()
        assert (f'<a href="/workers/{worker.pk}/">&lt;b&gt;x&lt;/b&gt; &amp; &quot;引号&quot; &#x27;it&#x27;s&#x27;</a>'
                in body)
        assert "<b>x</b>" not in body


def test_it_gives_urls_and_static_files_as_django_does():
    _same("{% load static %}{% url 'workers:detail' pk %}|{% url 'workers:list' %}|{% static 'laomo/app.js' %}",
          "{{ url('workers:detail', pk) }}|{{ url('workers:list') }}|{{ static('laomo/app.js') }}", [{"pk": 7}])
    _same("{% url 'workers:reveal' pk field %}", "{{ url('workers:reveal', pk, field) }}",
          [{"pk": 7, "field": "id_number"}])
