import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.audit import verify_chain
from laomo.orgs.models import User


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, built once for this module's tests in a transaction rolled back at the end."""
    from django.test import override_settings
    from huey.contrib.djhuey import HUEY

    hashers = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # as conftest
    with django_db_blocker.unblock(), hashers:
        immediate, HUEY.immediate = HUEY.immediate, True
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("populate_demo", "--seed", "7", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            HUEY.immediate = immediate


@pytest.mark.django_db
def test_it_builds_the_demo_through_services(demo, capsys, tmp_path):
    from laomo.workers.models import Honor, Worker

    assert "Laomo@2022demo" in demo
    assert {u.username for u in User.objects.all()} >= {"city", "liandu", "worker", "sysadmin", "secadmin", "auditor"}
    assert User.objects.get(username="city").check_password("Laomo@2022demo")
    assert Worker.objects.count() >= 2900  # the registry, plus specialists other modules add
    assert Worker.objects.filter(org__code="331181").exists() and Worker.objects.filter(org__code="331101").exists()
    assert Honor.objects.filter(level="national").exists() and Honor.objects.filter(level="county").exists()
    assert Worker.objects.get(user__username="worker").name == "叶长文"
    assert verify_chain().ok
    call_command("populate_demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    _check_the_2022_annual_report(tmp_path)


# --- demo data that reads true (issue 13) ----------------------------------------------------------------


def _county_stem(org) -> str:
    """The place a unit's employers name: 庆元 for 庆元县总工会, 丽水 for the city and 市本级."""
    return "丽水" if org.code in ("331100", "331101") else (org.short_name or org.name)[:2]


@pytest.mark.django_db
def test_it_places_each_worker_s_employer_in_the_county_of_their_unit(demo):
    from laomo.workers.models import Worker

    lishui_development_zone = {"丽水万控科技有限公司", "丽水丽宝安防科技有限公司"}  # in 莲都区
    workers = list(Worker.objects.exclude(employer="").select_related("org"))
    assert len(workers) > 2900
    elsewhere = [(w.org.short_name, w.employer) for w in workers if _county_stem(w.org) not in w.employer
                 and not (w.org.code == "331102" and w.employer in lishui_development_zone)]
    assert elsewhere == []


def _text_fields():
    from django.apps import apps

    for model in apps.get_models():
        if model.__module__.startswith("laomo."):
            for f in model._meta.concrete_fields:
                if isinstance(f, models.CharField | models.TextField) and not f.choices:
                    yield model, f.name


@pytest.mark.django_db
def test_it_never_doubles_a_place_name(demo):
    from laomo.orgs.models import OrgUnit

    places = sorted({p for o in OrgUnit.objects.all() for p in (o.short_name, o.name) if p} | {"丽水"}, key=len)
    doubled = re.compile("(" + "|".join(map(re.escape, reversed(places))) + r")\1")
    found = []
    for model, name in _text_fields():
        for value in model._default_manager.values_list(name, flat=True).iterator():
            if isinstance(value, str) and doubled.search(value):
                found.append((model.__name__, name, value))
    assert found == []


@pytest.mark.django_db
def test_it_writes_no_timestamp_later_than_now(demo):
    from django.apps import apps

    now = timezone.now()
    later = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField):
                count = model._default_manager.filter(**{f"{f.name}__gt": now}).count()
                if count:
                    later.append((model.__name__, f.name, count))
    assert later == []


@pytest.mark.django_db
def test_it_spreads_notifications_over_time(demo):
    from laomo.core.models import Notification

    stamps = list(Notification.objects.values_list("created_at", flat=True))
    assert len(stamps) > 100
    months = {timezone.localtime(t).strftime("%Y-%m") for t in stamps}
    assert min(months) <= "2022-01" and len(months) >= 12
    last_day = sum(1 for t in stamps if t > timezone.now() - timedelta(days=1))
    assert last_day < len(stamps) / 10, (last_day, len(stamps))


@pytest.mark.django_db
def test_it_signs_certificates_with_a_person_s_name_and_title(demo):
    from django.test import Client
    from django.urls import reverse

    from laomo.core.demo import DEMO_USERS
    from laomo.volunteering.models import ServiceCertificate

    cert = ServiceCertificate.objects.select_related("issued_by").get()
    client = Client()
    client.force_login(cert.issued_by)
    html = client.get(reverse("volunteering:certificate_detail", args=[cert.pk])).content.decode()
    signer = re.search(r'data-testid="cert-signer">([^<]*)<', html).group(1)
    assert signer == "吴芳 办公室主任"
    assert cert.issued_by.username not in signer
    names = [full_name for _, full_name, _, _ in DEMO_USERS]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n) for n in names)  # people, not account labels


def _check_the_2022_annual_report(tmp_path):
    """The demo's 2022 annual report reads like the source story, every number from /api/v1/reports/summary."""
    import re

    from django.test import Client

    from laomo.api.services import api_token_create
    from laomo.reports import annual
    from laomo.reports.tests.test_annual import _expected, _num, _text

    city = User.objects.get(username="city")
    token = api_token_create(actor=SYSTEM, user=city)[1]
    summary = Client().get("/api/v1/reports/summary?year=2022", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    annual.render_docx(annual.build(user=city, year=2022, org=city.org), tmp_path / "2022.docx")
    text = _text(tmp_path / "2022.docx")
    for pattern, value in _expected(summary):
        found = re.search(pattern, text)
        assert found and _num(found.group(1)) == _num(str(value)), (pattern, value)
    assert summary["outreach"]["online_views"] > 300_000 and summary["retreats"]["batches"] >= 4


@pytest.mark.django_db
def test_it_shows_the_review_of_county_submissions(demo):
    """报送→审核 in the demo: the city reviews; one submission waits, one is returned, one approved into a history."""
    from laomo.orgs.models import OrgUnit
    from laomo.workers.models import Submission, Worker, WorkerChange

    assert OrgUnit.objects.get(code="331100").registry_review
    assert sorted(Submission.objects.values_list("status", flat=True)) == ["approved", "pending", "returned"]
    assert not Worker.objects.filter(name="钟秀兰").exists()  # still waiting for the city
    approved = Submission.objects.get(status="approved")
    assert WorkerChange.objects.filter(submission=approved, approved_by__username="city").exists()
