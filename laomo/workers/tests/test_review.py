"""报送→审核 (issue 17 item 1): county changes to a reviewed registry are submissions until the city approves."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry, Notification
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import Role
from laomo.workers import review, selectors, services
from laomo.workers.models import Honor, Submission, Worker, WorkerChange
from laomo.workers.reports import workers_section

from .factories import make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(orgs):
    """The city reviews its counties' registry changes."""
    OrgUnit.objects.filter(code="331100").update(registry_review=True)
    return orgs


@pytest.fixture
def county(users):
    return users[Role.COUNTY_STAFF]


@pytest.fixture
def city(users):
    return users[Role.CITY_STAFF]


def new_worker_fields(orgs, **extra):
    return {"name": "钟秀兰", "id_number": make_id("331102", "19700305"), "phone": "13905781234",
            "employer": "莲都区人民医院", "org": orgs["331102"], **extra}


def submit_new(county, orgs, **extra):
    fields = new_worker_fields(orgs, **extra)
    org = fields.pop("org")
    honor = {"title": "丽水市劳动模范", "year": 2015, "document_no": "丽委〔2015〕8号"}
    return review.submit_worker_create(actor=county, org=org, fields=fields, honors=[honor])


def test_it_refuses_a_direct_county_write_under_review(reviewed, county):
    with pytest.raises(PermissionDenied, match="报送"):
        services.worker_create(actor=county, org=reviewed["331102"], name="张三")


def test_it_lets_the_county_write_directly_where_nobody_reviews(orgs, county):
    worker = services.worker_create(actor=county, org=orgs["331102"], name="张三")
    assert Worker.objects.filter(pk=worker.pk).exists()


def test_it_keeps_an_unapproved_worker_out_of_every_list_figure_and_export(reviewed, county, city, tmp_path):
    before = workers_section(year=timezone.localdate().year, org=reviewed["331100"])["total"]
    submission = submit_new(county, reviewed)
    assert submission.status == "pending"
    assert not Worker.objects.filter(name="钟秀兰").exists()
    assert not selectors.worker_list(user=city).filter(name="钟秀兰").exists()
    assert workers_section(year=timezone.localdate().year, org=reviewed["331100"])["total"] == before
    target = tmp_path / "roster.xlsx"
    services.worker_export(actor=city, qs=selectors.worker_list(user=city), full=False, target=str(target))
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(target).active.iter_rows() for c in row]
    assert "钟秀兰" not in cells
    # The reviewers are told.
    assert Notification.objects.filter(recipient=city, text__contains="钟秀兰").exists()


def test_it_checks_a_submission_as_the_approval_would(reviewed, county):
    with pytest.raises(ValidationError) as exc:
        review.submit_worker_create(actor=county, org=reviewed["331102"], fields={"name": "王五", "id_number": "123"})
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        review.submit_worker_create(actor=county, org=reviewed["331102"], fields={"name": "王五"},
                                    honors=[{"title": "不知道什么称号"}])
    assert "honor_title" in exc.value.message_dict
    assert not Submission.objects.exists()
    assert not Worker.objects.filter(name="王五").exists()


def test_it_keeps_the_draft_on_return_and_approves_the_fixed_one(reviewed, county, city):
    submission = submit_new(county, reviewed, employer="莲都医院")
    draft = review.payload_of(submission)
    with pytest.raises(ValidationError, match="退回意见"):
        review.submission_return(actor=city, submission=submission, comment=" ")
    returned = review.submission_return(actor=city, submission=submission, comment="工作单位请写全称")
    assert returned.status == "returned"
    assert review.payload_of(returned) == draft  # the county's draft is kept as it was
    assert Notification.objects.filter(recipient=county, text__contains="工作单位请写全称").exists()
    with pytest.raises(ValidationError, match="已退回"):
        review.submission_approve(actor=city, submission=returned)

    fields = new_worker_fields(reviewed, employer="丽水市莲都区人民医院")
    fields.pop("org")
    fixed = review.submission_revise(actor=county, submission=returned, fields={**fields, "org": reviewed["331102"]},
                                     honors=review.payload_of(returned)["honors"])
    assert (fixed.status, fixed.rounds) == ("pending", 2)
    assert [entry["action"] for entry in fixed.log] == ["报送", "退回", "修改后重新报送"]

    worker = review.submission_approve(actor=city, submission=fixed, comment="同意")
    assert worker.employer == "丽水市莲都区人民医院"
    assert worker.highest_level_rank == 2
    assert Honor.objects.get(worker=worker).document_no == "丽委〔2015〕8号"
    fixed.refresh_from_db()
    assert (fixed.status, fixed.worker_id, fixed.reviewed_by_id) == ("approved", worker.pk, city.pk)
    created = WorkerChange.objects.filter(worker=worker).order_by("id")
    assert [c.kind for c in created] == ["create", "honor_add"]
    assert all(c.actor_id == county.pk and c.approved_by_id == city.pk and not c.direct for c in created)
    assert AuditEntry.objects.filter(action="workers.submission.approve").count() == 1


def test_it_records_exact_diffs_of_an_approved_change(reviewed, county, city):
    worker = services.worker_create(actor=SYSTEM, org=reviewed["331102"], name="李四", employer="旧单位",
                                    phone="13900001111")
    submission = review.submit_worker_update(actor=county, worker=worker, fields={
        "name": "李四", "employer": "新单位", "phone": "13900002222", "org": reviewed["331102"]})
    assert json.loads(submission.payload)["base"] == {"employer": "旧单位", "phone": "13900001111"}
    assert Worker.objects.get(pk=worker.pk).employer == "旧单位"
    review.submission_approve(actor=city, submission=submission)
    change = WorkerChange.objects.filter(worker=worker, kind="update").get()
    assert change.changes == [["工作单位", "旧单位", "新单位"], ["联系电话", "139****1111", "139****2222"]]
    assert (change.actor_id, change.approved_by_id, change.submission_id) == (county.pk, city.pk, submission.pk)


def test_it_refuses_an_approval_over_a_change_made_since(reviewed, county, city):
    worker = services.worker_create(actor=SYSTEM, org=reviewed["331102"], name="李四", employer="旧单位")
    submission = review.submit_worker_update(actor=county, worker=worker, fields={"employer": "新单位"})
    with pytest.raises(ValidationError, match="一条未办结"):
        review.submit_worker_update(actor=county, worker=worker, fields={"employer": "又一个单位"})
    services.worker_update(actor=city, worker=worker, employer="市里改的单位")
    with pytest.raises(ValidationError, match="工作单位"):
        review.submission_approve(actor=city, submission=submission)


def test_it_audits_a_reviewers_direct_edit_as_such(reviewed, city):
    worker = services.worker_create(actor=SYSTEM, org=reviewed["331102"], name="李四")
    services.worker_update(actor=city, worker=worker, employer="市里直接改")
    change = WorkerChange.objects.get(worker=worker, kind="update")
    assert change.direct and change.submission_id is None and change.actor_id == city.pk
    assert AuditEntry.objects.filter(action="workers.worker.direct_edit", object_id=str(worker.pk)).exists()


def test_it_submits_honor_changes(reviewed, county, city):
    worker = services.worker_create(actor=SYSTEM, org=reviewed["331102"], name="李四")
    added = review.submit_honor_add(actor=county, worker=worker, honor={"title": "浙江省劳动模范", "year": 2020})
    assert not Honor.objects.filter(worker=worker).exists()
    review.submission_approve(actor=city, submission=added)
    honor = Honor.objects.get(worker=worker)
    removal = review.submit_honor_remove(actor=county, honor=honor, reason="重复登记")
    assert Honor.objects.filter(pk=honor.pk, is_deleted=False).exists()
    review.submission_approve(actor=city, submission=removal)
    assert Honor.objects.filter(pk=honor.pk, is_deleted=True).exists()
    assert list(WorkerChange.objects.filter(worker=worker).values_list("kind", flat=True)) == [
        "honor_remove", "honor_add", "create"]


def test_it_lets_only_reviewers_in_scope_decide(reviewed, county, users):
    submission = submit_new(county, reviewed)
    with pytest.raises(PermissionDenied):
        review.submission_approve(actor=users["county_staff_qy"], submission=submission)
    with pytest.raises(PermissionDenied):
        review.submission_return(actor=county, submission=submission, comment="自己退回")


def test_it_withdraws_only_an_open_submission(reviewed, county, city):
    submission = submit_new(county, reviewed)
    withdrawn = review.submission_withdraw(actor=county, submission=submission)
    assert withdrawn.status == "withdrawn"
    with pytest.raises(ValidationError):
        review.submission_approve(actor=city, submission=withdrawn)
    with pytest.raises(ValidationError):
        review.submission_withdraw(actor=county, submission=withdrawn)


def test_it_keeps_the_other_county_out(reviewed, county, users):
    submission = submit_new(county, reviewed)
    with pytest.raises(PermissionDenied):
        review.submission_withdraw(actor=users["county_staff_qy"], submission=submission)
