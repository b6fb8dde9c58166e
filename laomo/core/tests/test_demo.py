import pytest
from django.core.management import call_command

from laomo.core.audit import verify_chain
from laomo.orgs.models import User


@pytest.mark.django_db
def test_it_builds_the_demo_through_services(capsys, tmp_path):
    from laomo.workers.models import Honor, Worker

    call_command("populate_demo", "--seed", "7")
    out = capsys.readouterr().out
    assert "Laomo@2022demo" in out
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


def _check_the_2022_annual_report(tmp_path):
    """The demo's 2022 annual report reads like the source story, every number from /api/v1/reports/summary."""
    import re

    from django.test import Client

    from laomo.api.services import api_token_create
    from laomo.reports import annual
    from laomo.reports.tests.test_annual import _expected, _num, _text

    city = User.objects.get(username="city")
    token = api_token_create(actor=None, user=city)[1]
    summary = Client().get("/api/v1/reports/summary?year=2022", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    annual.render_docx(annual.build(user=city, year=2022, org=city.org), tmp_path / "2022.docx")
    text = _text(tmp_path / "2022.docx")
    for pattern, value in _expected(summary):
        found = re.search(pattern, text)
        assert found and _num(found.group(1)) == _num(str(value)), (pattern, value)
    assert summary["outreach"]["online_views"] > 300_000 and summary["retreats"]["batches"] >= 4
