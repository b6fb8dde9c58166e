"""Demo or go-live (issue 13): the demo never mixes with real data; the go-live first-login checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conftest import login_client, make_user
from laomo.core.excel import write_xlsx
from laomo.core.golive import DEMO_MARKER
from laomo.core.models import Counter
from laomo.orgs.models import OrgUnit, User
from laomo.orgs.roles import Role

ROSTER_HEADERS = ["姓名", "身份证号", "所属地区", "工作单位", "职务", "荣誉称号", "联系电话", "在职状态"]


def _roster(tmp_path) -> str:
    path = str(tmp_path / "roster.xlsx")
    write_xlsx(path, ROSTER_HEADERS, [
        ["周建国", "", "庆元县", "庆元县人民医院", "主治医师", "2015年丽水市劳动模范", "13912345678", "在职"],
        ["吴秀兰", "", "龙泉市", "龙泉青瓷研究所", "高级技师", "2019年浙江省劳动模范", "13812345678", "在职"],
    ], text_columns=["身份证号", "联系电话"])
    return path


def _business_counts():
    from laomo.workers.models import Worker

    return User.objects.count(), Worker.objects.count(), OrgUnit.objects.count()


@pytest.fixture
def no_demo_steps(monkeypatch):
    """The demo's accounts and marker only (its module steps take minutes; test_demo builds them all)."""
    monkeypatch.setattr("laomo.core.demo._STEPS", [])


@pytest.mark.django_db
@pytest.mark.parametrize("args", [[], ["--if-empty"]])
def test_it_refuses_the_demo_in_a_database_holding_an_imported_worker(orgs, tmp_path, args):
    call_command("import_roster", _roster(tmp_path))
    before = _business_counts()
    assert before[1] == 2
    with pytest.raises(CommandError, match="已有业务数据.*2 名劳模.*拒绝生成演示数据"):
        call_command("populate_demo", *args)
    assert _business_counts() == before
    assert not Counter.objects.filter(name=DEMO_MARKER).exists()


@pytest.mark.django_db
def test_it_refuses_the_demo_in_a_database_holding_users_or_new_units(orgs):
    OrgUnit.objects.create(code="33112601", name="松源街道总工会", kind="street", parent=orgs["331126"], depth=2)
    with pytest.raises(CommandError, match="1 个新增单位"):
        call_command("populate_demo", "--if-empty")
    make_user("admin", Role.SYSADMIN, orgs["331100"])
    with pytest.raises(CommandError, match="1 个用户账号"):
        call_command("populate_demo", "--if-empty")
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]


@pytest.mark.django_db
def test_it_recognises_its_own_demo_database_by_its_marker(orgs, settings, no_demo_steps, capsys):
    settings.LAOMO_DEMO = True
    call_command("prepare_start")
    assert Counter.objects.filter(name=DEMO_MARKER).exists()
    users = User.objects.count()
    assert users == 10
    capsys.readouterr()
    call_command("prepare_start")  # the next `make run`: skipped, not refused
    assert "演示数据已存在,跳过" in capsys.readouterr().out
    assert User.objects.count() == users


@pytest.mark.django_db
def test_it_starts_golive_after_a_cli_import_without_demo_data(orgs, settings, tmp_path, capsys):
    settings.LAOMO_DEMO = False
    call_command("import_roster", _roster(tmp_path))
    before = _business_counts()
    capsys.readouterr()
    call_command("prepare_start")  # what `make golive` runs before serving
    out = capsys.readouterr().out
    assert _business_counts() == before and before[0] == 0
    assert not Counter.objects.filter(name=DEMO_MARKER).exists()
    assert "正式环境(不含演示数据)" in out and "劳模 2 名" in out
    for role in ("sysadmin", "secadmin", "auditor", "city_staff"):
        assert f"--role {role} --org 331100" in out and "--password-stdin" in out
    call_command("prepare_start")  # and again: still nothing added, no failure
    assert _business_counts() == before


@pytest.mark.django_db
def test_it_prints_only_the_missing_first_administrators(orgs, settings, capsys):
    settings.LAOMO_DEMO = False
    make_user("sys1", Role.SYSADMIN, orgs["331100"])
    call_command("prepare_start")
    out = capsys.readouterr().out
    assert "--role sysadmin" not in out and "--role secadmin" in out and "--role city_staff" in out


@pytest.mark.django_db
def test_it_refuses_a_golive_start_on_the_demo_database(orgs, settings, no_demo_steps):
    settings.LAOMO_DEMO = True
    call_command("prepare_start")
    settings.LAOMO_DEMO = False
    with pytest.raises(CommandError, match="装有演示数据,不能作为正式环境启动"):
        call_command("prepare_start")


@pytest.mark.django_db
def test_it_refuses_a_golive_start_on_a_demo_database_of_an_older_version(orgs, settings):
    make_user("city", Role.CITY_STAFF, orgs["331100"], full_name="市总工会·王敏")  # the old demo, no marker
    settings.LAOMO_DEMO = False
    with pytest.raises(CommandError, match="装有演示数据"):
        call_command("prepare_start")


def _settings_in(env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "LAOMO_MEDIA_ROOT", "LAOMO_HUEY_NAME", "LAOMO_DEMO")}
    env.update(LAOMO_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="laomo.settings", **env_extra)
    code = ("from django.conf import settings as s; "
            "print(s.DATABASES['default']['NAME']); print(s.HUEY['filename']); print(s.MEDIA_ROOT)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=django_settings.BASE_DIR).stdout.split()
    return [Path(p).name for p in out]


def test_it_keeps_the_demo_in_files_of_its_own(tmp_path):
    demo = _settings_in({"LAOMO_DEMO": "1"}, tmp_path)
    live = _settings_in({"LAOMO_DEMO": "0"}, tmp_path)
    default = _settings_in({}, tmp_path)
    assert demo == ["demo.sqlite3", "demo-jobs.sqlite3", "demo-media"]
    assert live == default == ["laomo.sqlite3", "jobs.sqlite3", "media"]


def test_it_runs_the_demo_by_default_and_names_the_golive_start():
    makefile = (Path(django_settings.BASE_DIR) / "Makefile").read_text()
    assert "LAOMO_DEMO ?= 1" in makefile
    assert "golive:\n\t$(MAKE) run LAOMO_DEMO=0" in makefile
    assert "populate_demo" not in makefile.split("run: setup", 1)[1].split("\n\n", 1)[0]


# --- the first-login checklist -------------------------------------------------------------------------


def _steps(client):
    response = client.get(reverse("core:golive_checklist"))
    assert response.status_code == 200
    return {s.key: s.done for s in response.context["steps"]}, response


@pytest.mark.django_db
def test_it_shows_city_staff_what_remains_to_go_live(orgs):
    city = make_user("city1", Role.CITY_STAFF, orgs["331100"])
    client = login_client(city)
    steps, response = _steps(client)
    assert steps == {"orgs": True, "users": False, "dictionaries": True, "imports": False, "ledgers": False}
    assert "还缺:系统管理员、安全管理员、审计管理员、县级业务管理员" in response.content.decode()
    assert reverse("workers:import") in response.content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="golive-pending"' in dashboard and reverse("core:golive_checklist") in dashboard


@pytest.mark.django_db
def test_it_marks_each_step_done_from_the_data(orgs, tmp_path):
    from laomo.care.models import DictKind
    from laomo.core.models import DictItem

    city = make_user("city1", Role.CITY_STAFF, orgs["331100"])
    DictItem.objects.filter(kind=DictKind.HARDSHIP_CAUSE).update(is_active=False)
    client = login_client(city)
    assert _steps(client)[0]["dictionaries"] is False
    DictItem.objects.filter(kind=DictKind.HARDSHIP_CAUSE).update(is_active=True)
    for username, role in [("s", Role.SYSADMIN), ("x", Role.SECADMIN), ("a", Role.AUDITOR)]:
        make_user(username, role, orgs["331100"])
    make_user("qy", Role.COUNTY_STAFF, orgs["331126"])
    assert _steps(client)[0] == {"orgs": True, "users": True, "dictionaries": True, "imports": False,
                                 "ledgers": False}
    call_command("import_roster", _roster(tmp_path))
    steps, response = _steps(client)
    # Past years' ledgers are optional: going live does not wait for them.
    assert steps.pop("ledgers") is False and all(steps.values()) and "全部完成" in response.content.decode()
    assert 'data-testid="golive-pending"' not in client.get(reverse("dashboard")).content.decode()
    lectures = tmp_path / "lectures.xlsx"
    write_xlsx(str(lectures), ["宣讲日期", "宣讲题目", "主讲人", "场所类型", "所属单位"],
               [["2023-04-05", "劳模精神进校园", "周建国", "学校", "庆元县"]])
    call_command("import_lectures", str(lectures))
    steps, response = _steps(client)
    assert steps["ledgers"] is True and "已导入:宣讲台账" in response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_sysadmin_only_the_units_and_users(orgs):
    admin = make_user("sys1", Role.SYSADMIN, orgs["331100"])
    steps, response = _steps(login_client(admin))
    assert list(steps) == ["orgs", "users"]
    html = response.content.decode()
    assert reverse("orgs:org_list") in html and reverse("orgs:user_list") in html


@pytest.mark.django_db
def test_it_refuses_the_checklist_to_other_roles(users):
    for role in (Role.COUNTY_STAFF, Role.VIEWER, Role.WORKER, Role.AUDITOR):
        assert login_client(users[role]).get(reverse("core:golive_checklist")).status_code == 403
