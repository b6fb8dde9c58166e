"""The filter bars' widgets and the shell written in Python render what Django's do (issue 16).

laomo.core.forms.Select/SelectMultiple write a select from its choices without a context per option,
NamedChoiceField reads (pk, name) rows instead of instances, FilterForm puts the widgets on a form's stock
selects, and base.html's menu and year options come from laomo.core.navigation / context_processors. Each
is compared here with Django's own widget, field or template loop on the same values.
"""

import copy
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.test import RequestFactory
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from conftest import login_client
from laomo.core import navigation
from laomo.core.context_processors import _year_options
from laomo.core.forms import FilterForm, FormRenderer, NamedChoiceField, Select, SelectMultiple
from laomo.core.permissions import has_capability
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import Role

CHOICES = [("", "全部单位"), ("a", "甲"), ("b", 'B <&"> 乙'), (3, "三"), ("c", "丙")]
TRICKY = [("", "—"), (1, 1), (2, 2.5), (Decimal("3.10"), date(2022, 3, 4)), ("<&\"'>", "<&\"'>"),
          ("s", mark_safe("<i>安全</i>")), (mark_safe("<v>"), "V"), ("lazy", gettext_lazy("全部")), (None, "无")]
GROUPS = [("", "全部"), ("组一", [("a", "A"), ("b", "B<")]), ("组<二>", [("c", "C"), (4, "四")]), ("d", "D"),
          ("", [("e", "空组名")])]


def _pair(django_class, ours_class, **kwargs):
    return django_class(**copy.deepcopy(kwargs)), ours_class(**copy.deepcopy(kwargs))


def _renders_alike(django_widget, our_widget, value, attrs=None):
    renderer = FormRenderer()
    ours = our_widget.render("f", value, attrs=attrs, renderer=renderer)
    assert ours == django_widget.render("f", value, attrs=attrs, renderer=renderer)  # Django's, through ours
    assert ours == django_widget.render("f", value, attrs=attrs, renderer=DjangoTemplates())  # Django's own
    return ours


@pytest.mark.parametrize("choices", [CHOICES, TRICKY, GROUPS, []])
@pytest.mark.parametrize("value", ["", None, "a", "b", 3, "3", "c", "<&\"'>", "<v>", "None", "lazy", "e", "x", 1])
def test_it_renders_a_select_as_django_does(choices, value):
    django_widget, our_widget = _pair(forms.Select, Select, choices=choices,
                                      attrs={"class": "form-select", "aria-label": '单位<&">'})
    _renders_alike(django_widget, our_widget, value, attrs={"id": "id_f", "required": True, "data-off": False})


@pytest.mark.parametrize("choices", [CHOICES, TRICKY, GROUPS])
@pytest.mark.parametrize("value", [None, [], ["a", "c"], ["3"], [3, "b", "x"], "a", ["", "e"]])
def test_it_renders_a_multiple_select_as_django_does(choices, value):
    django_widget, our_widget = _pair(forms.SelectMultiple, SelectMultiple, choices=choices,
                                      attrs={"size": 4, "data-x": True})
    _renders_alike(django_widget, our_widget, value)


def test_it_marks_the_selected_option_and_escapes_the_labels():
    html = _renders_alike(*_pair(forms.Select, Select, choices=CHOICES), "b")
    assert '<option value="b" selected>B &lt;&amp;&quot;&gt; 乙</option>' in html
    assert html.count(" selected") == 1
    multiple = _renders_alike(*_pair(forms.SelectMultiple, SelectMultiple, choices=CHOICES), ["a", "c"])
    assert multiple.count(" selected") == 2 and " multiple" in multiple


def test_it_renders_through_the_templates_when_it_cannot_write_the_same_html():
    """Another renderer, another option template or a subclass changing a step: Django's own rendering."""

    class Marked(Select):
        def create_option(self, *args, **kwargs):
            option = super().create_option(*args, **kwargs)
            option["attrs"]["data-mark"] = "1"
            return option

    assert not Select()._python_renders(DjangoTemplates())
    assert not Marked()._python_renders(FormRenderer())
    assert 'data-mark="1"' in Marked(choices=CHOICES).render("f", "a", renderer=FormRenderer())
    own = Select(choices=CHOICES)
    own.option_template_name = "django/forms/widgets/radio_option.html"
    assert not own._python_renders(FormRenderer())
    assert Select()._python_renders(FormRenderer()) and SelectMultiple()._python_renders(FormRenderer())


class _Filters(FilterForm):
    org = NamedChoiceField(label="单位", queryset=OrgUnit.objects.none(), required=False, empty_label="全部单位")
    orgs = forms.ModelMultipleChoiceField(label="单位", queryset=OrgUnit.objects.none(), required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=CHOICES)
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None,
                                  choices=[("", "全部年度"), (2022, "2022年"), (2021, "2021年")])
    text = forms.CharField(required=False)

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        self.fields["orgs"].queryset = org_queryset


def _as_django(form) -> dict[str, str]:
    """Each field of `form` rendered with Django's own classes: ModelChoiceField, Select, SelectMultiple."""
    out = {}
    for name, bound in form._bound_items():
        field = copy.deepcopy(bound.field)
        if isinstance(field, NamedChoiceField):
            field.__class__ = forms.ModelChoiceField
            field.queryset = field.queryset  # the widget's choices: Django's iterator of instances
        for ours, theirs in ((Select, forms.Select), (SelectMultiple, forms.SelectMultiple)):
            if type(field.widget) is ours:
                field.widget.__class__ = theirs
        out[name] = str(forms.BoundField(form, field, name))
    return out


def _as_ours(form) -> dict[str, str]:
    return {name: str(bound) for name, bound in form._bound_items()}


@pytest.mark.parametrize("data", [None, {"org": "PICK", "status": "b", "year": "2022"},
                                  {"org": "99999", "status": "<x>", "year": "abc", "orgs": ["PICK", "1"]},
                                  {"org": "", "year": "2021", "text": '<&">'}])
def test_it_renders_a_filter_form_as_django_does(orgs, data):
    unit = orgs["331102"]
    if data:
        data = {k: ([unit.pk if x == "PICK" else x for x in v] if isinstance(v, list) else
                    (str(unit.pk) if v == "PICK" else v)) for k, v in data.items()}
    scope = OrgUnit.objects.filter(unit.subtree_q("")).order_by("path")
    form = _Filters(data, org_queryset=scope)
    form.is_valid()
    assert type(form.fields["status"].widget) is Select and type(form.fields["orgs"].widget) is SelectMultiple
    assert _as_ours(form) == _as_django(form)
    assert str(unit.pk) in _as_ours(form)["org"] and unit.name in _as_ours(form)["org"]
    if data and data["org"] == str(unit.pk):
        assert form.cleaned_data["org"] == unit  # the cleaned value is still the instance


def test_it_reads_the_names_as_rows(orgs, django_assert_num_queries):
    field = NamedChoiceField(queryset=OrgUnit.objects.order_by("path"), empty_label="全部")
    with django_assert_num_queries(1):
        choices = [choice for choice in field.choices]  # noqa: C416 (list() would ask its length: a count)
    assert choices == [("", "全部")] + [(o.pk, str(o)) for o in OrgUnit.objects.order_by("path")]

    class Coded(NamedChoiceField):
        def label_from_instance(self, obj):
            return obj.code

    assert [label for _, label in Coded(queryset=OrgUnit.objects.order_by("path")).choices][1:] == [
        o.code for o in OrgUnit.objects.order_by("path")]


# Every list page with a filter bar, and a query that sets its filters (units, campaigns, years, statuses).
FILTER_PAGES = [
    "/workers/", "/workers/?org=ORG&level=city&status=active&sort=name&incomplete=1", "/workers/?year_from=abc",
    "/care/visits/", "/care/visits/?year=2022&org=ORG&void=all&campaign=999", "/care/campaigns/",
    "/volunteering/records/", "/volunteering/records/?org=ORG&team=abc", "/volunteering/requests/?status=open",
    "/volunteering/teams/", "/outreach/lectures/", "/outreach/lectures/?org=ORG&year=2022&campaign=1",
    "/outreach/media/", "/studios/", "/studios/?org=ORG&status=live", "/retreats/", "/retreats/?year=2022&vendor=9",
]


@pytest.mark.parametrize("role", [Role.CITY_STAFF, Role.COUNTY_STAFF, Role.VIEWER])
def test_it_renders_the_list_pages_filter_bars_as_django_does(users, orgs, role):
    client = login_client(users[role])
    checked = 0
    for url in FILTER_PAGES:
        response = client.get(url.replace("ORG", str(orgs["331102"].pk)))
        form = response.context.get("form") if response.status_code == 200 else None
        if not isinstance(form, FilterForm):
            continue
        assert _as_ours(form) == _as_django(form), url
        checked += 1
    assert checked >= 10


# --- the shell ----------------------------------------------------------------------------------------------

# base.html's loops before the menu and the year options were written in Python.
OLD_LOOPS = (
    '{% for item in nav_items %}\n        <li class="nav-item"><a class="nav-link{% if item.active %} active'
    '{% endif %}" href="{{ item.url }}"><i class="bi bi-{{ item.icon }}"></i> {{ item.label }}</a></li>\n'
    "        {% endfor %}|{% for y in year_choices %}<option value=\"{{ y }}\"{% if y == selected_year %} selected"
    "{% endif %}>{{ y }}年</option>{% endfor %}")


def _old_nav_for(user, path):
    """navigation.nav_for before the entries were kept per set of capabilities."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    items, own_record = [], None
    for label, icon, url_name, app_label, caps in navigation.NAV:
        if app_label != "core" and not any(c.label == app_label for c in apps.get_app_configs()):
            continue
        if caps and not any(has_capability(user, c) for c in caps):
            continue
        if url_name in navigation.NEEDS_OWN_RECORD:
            if own_record is None:
                own_record = navigation._has_own_record(user)
            if not own_record:
                continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "icon": icon, "url": url, "active": path == url if url == "/" else
                      path.startswith(url)})
    return items


@pytest.mark.parametrize("path", ["/", "/workers/", "/workers/5/", "/care/visits/", "/orgs/users/", "/x/"])
def test_it_builds_every_roles_menu_as_before(users, path):
    from laomo.workers.models import Worker
    from laomo.workers.tests.factories import make_worker

    own = make_worker(users[Role.WORKER].org)
    Worker.objects.filter(pk=own.pk).update(user=users[Role.WORKER])  # the worker's own record: 我的档案
    seen = set()
    for user in users.values():
        items = navigation.nav_for(user, path)
        assert items == _old_nav_for(user, path), user.username
        seen.add(tuple(item["label"] for item in items))
        text = engines["django"].from_string(OLD_LOOPS).render({"nav_items": items, "year_choices": [],
                                                               "selected_year": 0})
        assert navigation.nav_html(items) + "|" == text
    assert len(seen) >= 5  # the roles' menus differ


@pytest.mark.parametrize("selected", [2022, 2019, 1990])
def test_it_writes_the_year_options_as_the_loop_did(selected):
    years = list(range(2026, 2018, -1))
    text = engines["django"].from_string(OLD_LOOPS).render({"nav_items": [], "year_choices": years,
                                                           "selected_year": selected})
    assert text == "|" + _year_options(years, selected)


def test_it_works_the_shell_out_only_when_a_template_reads_it(users, django_assert_num_queries):
    """An htmx partial (no base.html) costs no menu and no unread-count query; base.html gets the values."""
    from laomo.core.context_processors import shell

    request = RequestFactory().get("/workers/?year=2021")
    request.user = users[Role.CITY_STAFF]
    request.session = {}
    with django_assert_num_queries(0):
        context = shell(request)
    assert context["selected_year"]() == 2021 and context["unread_notifications"]() == 0
    assert any(item["active"] for item in context["nav_items"]() if item["url"] == "/workers/")
    assert context["nav_html"]() == navigation.nav_html(context["nav_items"]())


STATIC_PAIR = "{% static p %}|{% static p as u %}[{{ u }}]"


@pytest.mark.parametrize("storage", ["django.contrib.staticfiles.storage.StaticFilesStorage",
                                     "whitenoise.storage.CompressedManifestStaticFilesStorage"])
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("static_url", ["/static/", "https://cdn.example.org/s/"])
def test_it_gives_the_static_urls_django_gives(settings, storage, debug, static_url):
    """base.html's `{% static %}` (laomo_static, kept per path) against Django's, settings changing between."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": storage}}
    settings.DEBUG, settings.STATIC_URL = debug, static_url
    for path in ("laomo/app.css", "vendor/htmx/htmx.min.js", "vendor/bootstrap/css/bootstrap.min.css", "a b&<c>.js"):
        try:
            theirs = engines["django"].from_string("{% load static %}" + STATIC_PAIR).render({"p": path})
        except ValueError:  # a path the manifest does not hold: refused alike
            with pytest.raises(ValueError):
                engines["django"].from_string("{% load laomo_static %}" + STATIC_PAIR).render({"p": path})
            continue
        for _ in range(2):  # worked out, then kept
            assert engines["django"].from_string("{% load laomo_static %}" + STATIC_PAIR).render({"p": path}) == theirs


@pytest.mark.parametrize("grouping", [False, True])
def test_it_writes_numbers_as_templates_do(settings, grouping):
    from laomo.core.forms import template_text

    settings.USE_THOUSAND_SEPARATOR = grouping
    for value in (2022, 1234567, 0, -5, True, 2.5, Decimal("1234.50"), date(2022, 3, 4), None, "<&>", 10**20):
        assert template_text(value) == engines["django"].from_string("{{ v }}").render({"v": value}), value


def test_it_offers_every_role_the_units_it_offered_before(users, orgs):
    """org_choices_for reads the city's root within its statement now: the same units, in the same order."""
    from laomo.core.scope import scope_root
    from laomo.orgs.selectors import org_choices_for

    OrgUnit.objects.filter(pk=orgs["331126"].pk).update(is_active=False)  # an inactive unit is never offered

    def before(user):
        root = scope_root(user)
        if root is None:
            return []
        if user.scope_level in ("unit", "self"):
            return [root]
        return list(root.subtree().filter(is_active=True).order_by("path"))

    for user in users.values():
        assert list(org_choices_for(user=user)) == before(user), user.username
    assert len(list(org_choices_for(user=users[Role.CITY_STAFF]))) == OrgUnit.objects.filter(is_active=True).count()
