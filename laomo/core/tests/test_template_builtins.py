"""The faster `date` filter and `{% url %}` tag (laomo/core/templatetags/laomo_builtins.py) and the select widget
template render exactly what Django's do (issue 16): compared with Django's own on the same values."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Engine, engines
from django.template.defaultfilters import date as django_date
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.safestring import mark_safe

from laomo.core.forms import FormRenderer
from laomo.core.templatetags import laomo_builtins

DJANGO = Engine()  # Django's builtins only


def _both(source: str, **ctx) -> tuple[str, str]:
    ours = engines["django"].from_string(source).render(ctx)
    theirs = DJANGO.from_string(source).render(Context(ctx))
    return ours, theirs


@pytest.mark.parametrize("value", [
    date(2022, 3, 4), date(999, 1, 2), date(2022, 12, 31),
    datetime(2022, 3, 4, 5, 6, 7), datetime(2022, 3, 4, 23, 59, tzinfo=ZoneInfo("UTC")), None, "", "不是日期",
])
@pytest.mark.parametrize("fmt", ["Y-m-d", "Y-m-d H:i", "m-d", "H:i", "Y年n月j日", None])
def test_it_formats_dates_as_django_does(value, fmt):
    if isinstance(value, date) and not isinstance(value, datetime) and fmt and "H" in fmt:
        with pytest.raises(TypeError):
            django_date(value, fmt)
        with pytest.raises(TypeError):
            laomo_builtins.date(value, fmt)
        return
    arg = f':"{fmt}"' if fmt else ""
    ours, theirs = _both("{{ v|date" + arg + " }}", v=value)
    assert ours == theirs


def test_it_converts_aware_datetimes_to_local_time_first():
    value = datetime(2022, 3, 4, 20, 30, tzinfo=ZoneInfo("UTC"))  # 2022-03-05 04:30 in Asia/Shanghai
    ours, theirs = _both('{{ v|date:"Y-m-d H:i" }}', v=value)
    assert ours == theirs == "2022-03-05 04:30"


@pytest.mark.parametrize("source, ctx", [
    ("{% url 'workers:detail' pk %}", {"pk": 7}),
    ("{% url 'workers:detail' pk %}", {"pk": 0}),
    ("{% url 'workers:detail' pk %}", {"pk": "12"}),
    ("{% url 'workers:detail' pk=pk %}", {"pk": 12}),
    ("{% url 'workers:list' %}", {}),
    ("{% url name pk %}", {"name": "care:visit_detail", "pk": 3}),
    ("{% url 'workers:detail' pk as u %}[{{ u }}]", {"pk": 5}),
    ("{% url 'workers:nope' pk as u %}[{{ u }}]", {"pk": 5}),
])
def test_it_reverses_urls_as_django_does(source, ctx):
    ours, theirs = _both(source, **ctx)
    assert ours == theirs
    assert ours  # something was rendered


@pytest.mark.parametrize("ctx", [{"pk": -1}, {"pk": "abc"}, {"pk": True}])
def test_it_refuses_what_django_refuses(ctx):
    with pytest.raises(NoReverseMatch):
        reverse("workers:detail", args=[ctx["pk"]])
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'workers:detail' pk %}").render(ctx)


def test_it_follows_the_script_prefix():
    try:
        set_script_prefix("/laomo/")
        ours, theirs = _both("{% url 'workers:detail' pk %}", pk=9)
        assert ours == theirs == "/laomo/workers/9/"
    finally:
        set_script_prefix("/")
    assert engines["django"].from_string("{% url 'workers:detail' pk %}").render({"pk": 9}) == "/workers/9/"


@pytest.mark.parametrize("widget, value", [
    (forms.Select(choices=[("", "全部"), ("a", "A<b>"), ("组", [("x", "X"), ("y", "Y")]), (3, "三")],
                  attrs={"class": "form-select", "aria-label": "单位"}), "x"),
    (forms.Select(choices=[("", "全部"), ("a", "A")]), ""),
    (forms.Select(choices=[("", "全部"), ("a", "A")]), None),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
    (forms.NullBooleanSelect(), True),
    (forms.NullBooleanSelect(), None),
    (forms.Select(choices=[(1, 1), (2, 2.5), (Decimal("3.10"), date(2022, 3, 4)), ("<&\"'>", "<&\"'>")],
                  attrs={"data-x": True, "data-y": False, "data-z": None, "data-n": 0, "q\"": mark_safe("<b>")}), 1),
    (forms.Select(choices=[("s", mark_safe("<i>安全</i>")), (mark_safe("<v>"), "V"), ("", "—")]), "<v>"),
    (forms.Select(choices=[("组一", [("a", "A")]), ("组二", [("b", "B"), ("c", "C")])]), "c"),
    (forms.Select(choices=[(("t", 1), "tuple")]), None),
    (forms.SelectMultiple(choices=[]), None),
])
def test_it_renders_selects_as_django_does(widget, value):
    """laomo/templates/django/forms/widgets/select.html writes Django's option template inline, and
    laomo.core.forms.FormRenderer writes it in Python: both give what Django's own templates give."""
    assert FormRenderer()._stock(widget.template_name)
    assert widget.render("f", value, renderer=FormRenderer()) == widget.render("f", value, renderer=DjangoTemplates())


@pytest.mark.parametrize("widget, value", [
    (forms.TextInput(attrs={"class": "form-control", "placeholder": "姓名<、>编号"}), "张\"三<"),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(), mark_safe("<b>")),
    (forms.NumberInput(attrs={"min": 2000, "max": 2100, "step": Decimal("0.5")}), 2022),
    (forms.NumberInput(), Decimal("1234.50")),
    (forms.NumberInput(), 1234567.25),
    (forms.DateInput(attrs={"type": "date"}), date(2022, 3, 4)),
    (forms.DateTimeInput(), datetime(2022, 3, 4, 5, 6)),
    (forms.TimeInput(), None),
    (forms.EmailInput(attrs={"required": True, "disabled": False}), "a@b.cn"),
    (forms.HiddenInput(), "x y"),
    (forms.PasswordInput(render_value=True), "秘密"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.FileInput(), None),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.SearchInput(), "q"),
    (forms.TelInput(), "0578"),
    (forms.ColorInput(), "#ff0000"),
])
def test_it_renders_inputs_as_django_does(widget, value):
    assert FormRenderer()._stock(widget.template_name)  # written in Python, not through the template
    assert widget.render("f", value, renderer=FormRenderer()) == widget.render("f", value, renderer=DjangoTemplates())


def test_it_renders_the_filter_bars_as_django_does(db, users):
    """Every widget of the list pages' filter bars, written in Python, is what Django's templates give."""
    from django.http import QueryDict

    from laomo.workers.forms import filters_from

    ours = FormRenderer()
    for query in ("", "q=张&level=national&status=active&page=2", "year_from=2020&year_to=2022&org=331102"):
        form, _ = filters_from(QueryDict(query), user=users["city_staff"])
        for field in form:
            widget = field.field.widget
            context = widget.get_context(field.html_name, field.value(), field.build_widget_attrs({}))
            assert ours.render(widget.template_name, context) == DjangoTemplates().render(widget.template_name,
                                                                                          context)


def test_it_renders_an_overridden_widget_template_as_a_template(tmp_path, settings):
    """A project template replacing a stock one is rendered, not the Python version of the stock one."""
    (tmp_path / "django" / "forms" / "widgets").mkdir(parents=True)
    (tmp_path / "django" / "forms" / "widgets" / "input.html").write_text("<input data-own>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    renderer = FormRenderer()
    assert forms.TextInput().render("f", "x", renderer=renderer) == "<input data-own>"
    assert not renderer._stock("django/forms/widgets/text.html") and renderer._stock(
        "django/forms/widgets/select.html")
