"""Writes of the registry (issue 3 items 1, 2, 6): identity, PII at rest, honors, status, scope, audit."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry, Notification
from laomo.workers import selectors, services
from laomo.workers.models import Honor, Worker

from .factories import id_ending_in_x, make_id, make_worker, wrong_check

ID_MAN = make_id("331102", "19650312", "131")  # a man born 1965-03-12
ID_WOMAN = make_id("331126", "19780203", "042")  # a woman born 1978-02-03
PHONE = "13905781234"
ADDRESS = "丽水市莲都区人民街道解放街88号"


def _audit_json(action, worker) -> str:
    entries = AuditEntry.objects.filter(action=action, object_id=str(worker.pk))
    assert entries.exists(), f"no {action} entry"
    return json.dumps([e.changes for e in entries], ensure_ascii=False)


# --- identity --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_derives_birth_date_and_sex_from_the_id(users, orgs):
    worker = services.worker_create(actor=users["county_staff"], org=orgs["331102"], name=" 张三 ", id_number=ID_MAN)
    assert worker.name == "张三" and worker.birth_date == date(1965, 3, 12) and worker.sex == "M"
    assert worker.worker_no.startswith("LM") and not worker.is_incomplete
    assert (worker.name_pinyin, worker.name_initials) == ("zhangsan", "zs")
    woman = services.worker_create(actor=SYSTEM, org=orgs["331126"], name="李梅", id_number=ID_WOMAN, sex="F",
                                   birth_date=date(1978, 2, 3))
    assert woman.sex == "F" and woman.birth_date == date(1978, 2, 3)


@pytest.mark.django_db
def test_it_normalizes_a_fifteen_digit_id_and_a_lower_case_x(orgs):
    old = services.worker_create(actor=SYSTEM, org=orgs["331102"], name="王五", id_number="331102680415152")
    assert len(old.id_number) == 18 and old.id_number.startswith("33110219680415152")
    assert old.birth_date == date(1968, 4, 15) and old.sex == "F"
    number = id_ending_in_x()
    x = services.worker_create(actor=SYSTEM, org=orgs["331102"], name="李四", id_number=number.lower())
    assert x.id_number == number


@pytest.mark.django_db
def test_it_rejects_a_typed_birth_date_or_sex_that_contradicts_the_id(orgs):
    with pytest.raises(ValidationError) as exc:
        services.worker_create(actor=SYSTEM, org=orgs["331102"], name="张三", id_number=ID_MAN,
                               birth_date=date(1966, 3, 12), sex="F")
    errors = exc.value.message_dict
    assert "出生日期与身份证号不符" in errors["birth_date"][0] and "1965-03-12" in errors["birth_date"][0]
    assert "性别与身份证号不符" in errors["sex"][0] and "男" in errors["sex"][0]
    assert Worker.objects.count() == 0


@pytest.mark.django_db
def test_it_accepts_a_month_only_birth_date_that_matches_the_id(orgs):
    worker = services.worker_create(actor=SYSTEM, org=orgs["331102"], name="张三", id_number=ID_MAN,
                                    birth_date=date(1965, 3, 1))
    assert worker.birth_date == date(1965, 3, 12)


@pytest.mark.django_db
def test_it_rejects_a_wrong_check_digit_in_chinese(orgs):
    with pytest.raises(ValidationError) as exc:
        services.worker_create(actor=SYSTEM, org=orgs["331102"], name="张三", id_number=wrong_check(ID_MAN))
    assert "校验位错误" in exc.value.message_dict["id_number"][0]
    assert Worker.objects.count() == 0


@pytest.mark.django_db
def test_it_refuses_a_duplicate_id_naming_the_existing_worker(orgs):
    first = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    with pytest.raises(ValidationError) as exc:
        services.worker_create(actor=SYSTEM, org=orgs["331126"], name="张叁", id_number=" " + ID_MAN + " ")
    message = exc.value.message_dict["id_number"][0]
    assert "张三" in message and first.worker_no in message
    other = make_worker(orgs["331102"], "李四", id_number=ID_WOMAN)
    with pytest.raises(ValidationError, match="张三"):
        services.worker_update(actor=SYSTEM, worker=other, id_number=ID_MAN)


@pytest.mark.django_db
def test_it_flags_a_worker_without_id_as_incomplete_and_completes_it(orgs):
    worker = make_worker(orgs["331102"], "钱七", sex="F", birth_date=date(1970, 5, 1))
    assert worker.is_incomplete and worker.id_number_index is None and worker.id_number_masked == ""
    services.worker_update(actor=SYSTEM, worker=worker, id_number=ID_WOMAN)
    worker.refresh_from_db()
    assert not worker.is_incomplete and worker.birth_date == date(1978, 2, 3)


# --- PII at rest --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_encrypts_id_phone_and_address_at_rest(orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN, phone="139-0578-1234", address=ADDRESS)
    table = Worker._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone, address, id_number_index FROM {table} WHERE id = %s", [worker.pk])
        raw_id, raw_phone, raw_address, index = cursor.fetchone()
    assert raw_id and ID_MAN not in raw_id and "19650312" not in raw_id
    assert raw_phone and PHONE not in raw_phone and "5781234" not in raw_phone
    assert raw_address and "解放街" not in raw_address
    assert ID_MAN not in index and len(index) == 64
    worker.refresh_from_db()
    assert (worker.id_number, worker.phone, worker.address) == (ID_MAN, PHONE, ADDRESS)


@pytest.mark.django_db
def test_it_masks_id_and_phone(orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN, phone=PHONE)
    assert worker.id_number_masked == ID_MAN[:4] + "*" * 10 + ID_MAN[-4:]
    assert worker.phone_masked == "139****1234"


@pytest.mark.django_db
def test_it_finds_a_worker_by_the_blind_index_of_the_id(users, orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    make_worker(orgs["331102"], "李四", id_number=ID_WOMAN)
    assert Worker.objects.get(id_number_index=services.id_index(ID_MAN)) == worker
    for query in (ID_MAN, ID_MAN.lower()):
        found = selectors.worker_list(user=users["city_staff"], filters=selectors.WorkerFilters(id_number=query))
        assert list(found) == [worker]
    by_search = selectors.worker_list(user=users["city_staff"], filters=selectors.WorkerFilters(q=ID_MAN))
    assert list(by_search) == [worker]
    old = make_worker(orgs["331102"], "王五", id_number="331102680415152")
    by_15 = selectors.worker_list(user=users["city_staff"], filters=selectors.WorkerFilters(q="331102680415152"))
    assert list(by_15) == [old]


# --- honors and the highest level -----------------------------------------------------------------------


@pytest.mark.django_db
def test_it_derives_the_highest_level_from_honors_and_drops_it_when_one_is_removed(users, orgs):
    staff = users["county_staff"]
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    assert worker.highest_level is None and worker.highest_level_rank == 0
    county = services.honor_add(actor=staff, worker=worker, title="龙泉市劳动模范", year=2005)
    worker.refresh_from_db()
    assert (county.level, county.kind) == ("county", "model_worker") and worker.highest_level == "county"
    city = services.honor_add(actor=staff, worker=worker, title="丽水市劳动模范", year=2010)
    assert city.level == "municipal"
    national = services.honor_add(actor=staff, worker=worker, title="全国五一劳动奖章", year=2018)
    worker.refresh_from_db()
    assert national.kind == "may_day_medal" and worker.highest_level == "national"
    services.honor_remove(actor=staff, honor=national, reason="录入错误")
    worker.refresh_from_db()
    assert worker.highest_level == "municipal"
    national.refresh_from_db()
    assert national.is_deleted and Honor.objects.filter(pk=national.pk).exists()  # soft delete only
    services.honor_remove(actor=staff, honor=city, reason="录入错误")
    services.honor_remove(actor=staff, honor=county, reason="录入错误")
    worker.refresh_from_db()
    assert worker.highest_level is None


@pytest.mark.django_db
def test_it_takes_the_year_from_the_title_or_the_award_date(orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    assert services.honor_add(actor=SYSTEM, worker=worker, title="2015年浙江省劳动模范").year == 2015
    assert services.honor_add(actor=SYSTEM, worker=worker, title="全国劳模", award_date=date(2020, 11, 24)).year == 2020


@pytest.mark.django_db
@pytest.mark.parametrize(("title", "year", "field", "message"), [
    ("优秀共产党员", 2015, "title", "无法识别的荣誉称号"),
    ("浙江省劳动模范", 1975, "year", "早于本人年满16周岁"),
    ("浙江省劳动模范", timezone.localdate().year + 1, "year", "不能晚于今年"),
    ("浙江省劳动模范、全国劳模", 2015, "title", "一次填写一个"),
])
def test_it_refuses_bad_honors_in_chinese(orgs, title, year, field, message):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    with pytest.raises(ValidationError) as exc:
        services.honor_add(actor=SYSTEM, worker=worker, title=title, year=year)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Honor.objects.exists()


@pytest.mark.django_db
def test_it_refuses_the_same_honor_twice_and_a_removal_without_reason(orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN, honors=[("浙江省劳动模范", 2015)])
    with pytest.raises(ValidationError, match="已登记"):
        services.honor_add(actor=SYSTEM, worker=worker, title="浙江省劳动模范", year=2015)
    with pytest.raises(ValidationError, match="删除原因"):
        services.honor_remove(actor=SYSTEM, honor=worker.honors.get(), reason=" ")


# --- status ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["deceased", "retired"])
def test_it_requires_a_date_to_retire_or_mark_deceased(users, orgs, status):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    with pytest.raises(ValidationError) as exc:
        services.worker_set_status(actor=users["county_staff"], worker=worker, status=status, status_date=None)
    assert "日期" in exc.value.message_dict["status_date"][0]
    worker.refresh_from_db()
    assert worker.employment_status == "active"


@pytest.mark.django_db
def test_it_marks_a_worker_deceased_without_deleting_anything(users, orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN, honors=[("浙江省劳动模范", 2015)])
    services.worker_set_status(actor=users["county_staff"], worker=worker, status="deceased",
                               status_date=date(2021, 6, 20))
    worker.refresh_from_db()
    assert (worker.employment_status, worker.status_date, worker.is_deleted) == ("deceased", date(2021, 6, 20), False)
    assert worker.honors.filter(is_deleted=False).count() == 1
    assert list(selectors.worker_list(user=users["county_staff"])) == [worker]
    entry = AuditEntry.objects.get(action="workers.worker.status", object_id=str(worker.pk))
    assert entry.changes["employment_status"] == ["active", "deceased"]
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.worker_set_status(actor=SYSTEM, worker=worker, status="retired",
                                   status_date=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="未知"):
        services.worker_set_status(actor=SYSTEM, worker=worker, status="fired", status_date=date(2021, 1, 1))


# --- scope and capabilities --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_county_staff_a_worker_in_another_county(users, orgs):
    with pytest.raises(PermissionDenied):
        services.worker_create(actor=users["county_staff"], org=orgs["331126"], name="张三", id_number=ID_MAN)
    assert Worker.objects.count() == 0


@pytest.mark.django_db
def test_it_refuses_county_staff_moving_a_worker_out_of_their_scope(users, orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    with pytest.raises(PermissionDenied):
        services.worker_update(actor=users["county_staff"], worker=worker, org=orgs["331126"])
    worker.refresh_from_db()
    assert worker.org.code == "331102"
    other = make_worker(orgs["331126"], "李梅", id_number=ID_WOMAN)
    for call in (
        lambda: services.worker_update(actor=users["county_staff"], worker=other, employer="x"),
        lambda: services.worker_set_status(actor=users["county_staff"], worker=other, status="retired",
                                           status_date=date(2020, 1, 1)),
        lambda: services.honor_add(actor=users["county_staff"], worker=other, title="县劳模", year=2010),
        lambda: services.worker_grant_login(actor=users["county_staff"], worker=other, username="limei"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    # City staff may move a worker anywhere.
    services.worker_update(actor=users["city_staff"], worker=worker, org=orgs["331126"])
    worker.refresh_from_db()
    assert worker.org.code == "331126"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "worker", "team_leader", "sysadmin", "auditor"])
def test_it_refuses_writes_to_roles_without_edit_business(users, orgs, role):
    with pytest.raises(PermissionDenied):
        services.worker_create(actor=users[role], org=orgs["331126"], name="张三")


@pytest.mark.django_db
def test_it_reveals_pii_with_an_audit_entry(users, orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN, phone=PHONE)
    assert services.worker_reveal(actor=users["county_staff"], worker=worker, field="id_number") == ID_MAN
    assert services.worker_reveal(actor=users["city_staff"], worker=worker, field="phone") == PHONE
    entries = AuditEntry.objects.filter(action="core.pii.reveal", object_id=str(worker.pk)).order_by("id")
    assert [(e.actor_username, e.changes["field"]) for e in entries] == [("t_liandu", "id_number"),
                                                                         ("t_city", "phone")]
    assert ID_MAN not in json.dumps([e.changes for e in entries]) and entries[0].changes["masked"] == \
        worker.id_number_masked


@pytest.mark.django_db
def test_it_refuses_reveal_to_the_viewer_and_outside_the_scope(users, orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    with pytest.raises(PermissionDenied):
        services.worker_reveal(actor=users["viewer"], worker=worker, field="id_number")
    with pytest.raises(PermissionDenied):
        services.worker_reveal(actor=users["county_staff_qy"], worker=worker, field="id_number")
    with pytest.raises(ValidationError):
        services.worker_reveal(actor=users["city_staff"], worker=worker, field="note")
    assert not AuditEntry.objects.filter(action="core.pii.reveal").exists()


# --- audit of every write ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_audits_every_write_with_pii_masked(users, orgs):
    staff = users["county_staff"]
    worker = services.worker_create(actor=staff, org=orgs["331102"], name="张三", id_number=ID_MAN, phone=PHONE,
                                    address=ADDRESS, employer="丽水某厂")
    create = AuditEntry.objects.get(action="workers.worker.create", object_id=str(worker.pk))
    assert create.actor_username == "t_liandu" and create.org.code == "331102"
    assert create.changes["id_number"] == worker.id_number_masked and create.changes["phone"] == "139****1234"
    assert create.changes["employer"] == "丽水某厂"
    services.worker_update(actor=staff, worker=worker, phone="13705781111", address="丽水市莲都区另一条路1号",
                           employer="新单位")
    update = AuditEntry.objects.get(action="workers.worker.update", object_id=str(worker.pk))
    assert update.changes["employer"] == ["丽水某厂", "新单位"]
    assert update.changes["phone"] == ["139****1234", "137****1111"]
    honor = services.honor_add(actor=staff, worker=worker, title="浙江省劳动模范", year=2015)
    services.honor_remove(actor=staff, honor=honor, reason="重复")
    services.worker_set_status(actor=staff, worker=worker, status="retired", status_date=date(2020, 1, 1))
    assert AuditEntry.objects.filter(action="workers.honor.create", object_id=str(honor.pk)).exists()
    assert AuditEntry.objects.filter(action="workers.honor.delete", object_id=str(honor.pk)).exists()
    everything = json.dumps(list(AuditEntry.objects.values_list("changes", "object_repr")), ensure_ascii=False)
    for secret in (ID_MAN, PHONE, "13705781111", "解放街88号", "另一条路1号"):
        assert secret not in everything
    services.worker_update(actor=staff, worker=worker, employer="新单位")
    assert AuditEntry.objects.filter(action="workers.worker.update").count() == 1  # no change, no entry


# --- self-service ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_grants_a_worker_login_linked_to_the_record(users, orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_MAN)
    user, password = services.worker_grant_login(actor=users["county_staff"], worker=worker, username="zhangsan")
    worker.refresh_from_db()
    assert worker.user == user and user.role_codes == {"worker"} and user.org.code == "331102"
    assert user.check_password(password) and user.must_change_password
    assert selectors.worker_for_user(user) == worker
    assert list(selectors.worker_list(user=user)) == [worker]  # the self scope
    assert AuditEntry.objects.filter(action="workers.worker.grant_login", object_id=str(worker.pk)).exists()
    with pytest.raises(ValidationError, match="已有登录账号"):
        services.worker_grant_login(actor=users["county_staff"], worker=worker, username="zhangsan2")


@pytest.mark.django_db
def test_it_lets_a_worker_correct_their_contact_details_and_notifies_the_county(users, orgs):
    worker = make_worker(orgs["331126"], "李梅", id_number=ID_WOMAN, phone=PHONE)
    user, _ = services.worker_grant_login(actor=SYSTEM, worker=worker, username="limei")
    services.worker_update_contact(actor=user, worker=worker, phone="0578-2123456", address="庆元县松源街道1号")
    worker.refresh_from_db()
    assert worker.phone == "0578-2123456" and worker.address == "庆元县松源街道1号"
    entry = AuditEntry.objects.get(action="workers.worker.self_update_contact")
    assert entry.actor_username == "limei" and "2123456" not in json.dumps(entry.changes)
    notified = Notification.objects.filter(text__contains="李梅")
    assert set(notified.values_list("recipient__username", flat=True)) == {"t_qingyuan"}
    with pytest.raises(PermissionDenied):
        services.worker_update_contact(actor=users["county_staff_qy"], worker=worker, phone="", address="")
