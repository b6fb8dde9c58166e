import pytest
from django.core.management import call_command

from laomo.core.audit import verify_chain
from laomo.orgs.models import User


@pytest.mark.django_db
def test_it_builds_the_demo_through_services(capsys):
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
