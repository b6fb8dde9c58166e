"""报送→审核 through the pages (issue 17 item 1): the county's forms submit, the city reviews, the history shows
the approved diff; roster imports and award decisions are submitted the same way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laomo.core.models import Job
from laomo.core.tests.ledgers import PEOPLE, person_id, write_ledger
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import Role
from laomo.workers import services
from laomo.workers.models import Honor, Submission, Worker, WorkerChange

from .factories import make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(orgs):
    OrgUnit.objects.filter(code="331100").update(registry_review=True)
    return orgs


def post_new_worker(client, orgs, **extra):
    data = {"name": "钟秀兰", "id_number": make_id("331102", "19700305"), "org": orgs["331102"].pk,
            "employer": "莲都医院", "honor_title": "丽水市劳动模范", "honor_year": "2015",
            "honor_document_no": "丽委〔2015〕8号", **extra}
    return client.post(reverse("workers:create"), data)


def test_it_submits_a_new_worker_from_the_county_form(reviewed, clients):
    county = clients[Role.COUNTY_STAFF]
    page = county.get(reverse("workers:create"))
    assert "报送审核" in page.content.decode()
    response = post_new_worker(county, reviewed)
    submission = Submission.objects.get()
    assert response.url == reverse("workers:submission", args=[submission.pk])
    assert not Worker.objects.filter(name="钟秀兰").exists()
    assert "钟秀兰" not in clients[Role.CITY_STAFF].get(reverse("workers:list")).content.decode()
    detail = county.get(response.url).content.decode()
    assert "莲都医院" in detail and "丽委〔2015〕8号" in detail and "待审核" in detail


def test_it_shows_the_countys_errors_on_the_form_and_submits_nothing(reviewed, clients):
    response = post_new_worker(clients[Role.COUNTY_STAFF], reviewed, id_number="33110219700305001X",
                               honor_title="某某称号")
    assert response.status_code == 200
    assert not Submission.objects.exists()


def test_it_goes_round_the_return_and_approves_through_the_pages(reviewed, clients, users):
    county, city = clients[Role.COUNTY_STAFF], clients[Role.CITY_STAFF]
    post_new_worker(county, reviewed)
    submission = Submission.objects.get()
    url = reverse("workers:submission", args=[submission.pk])
    assert 'data-testid="approve"' in city.get(url).content.decode()
    assert 'data-testid="approve"' not in county.get(url).content.decode()

    city.post(reverse("workers:submission_return", args=[submission.pk]), {"comment": ""})
    assert Submission.objects.get().status == "pending"  # a return without a reason is refused
    city.post(reverse("workers:submission_return", args=[submission.pk]), {"comment": "工作单位请写全称"})
    assert Submission.objects.get().status == "returned"

    edit = county.get(reverse("workers:submission_edit", args=[submission.pk])).content.decode()
    assert 'value="莲都医院"' in edit and "工作单位请写全称" in edit  # the draft and the reason
    county.post(reverse("workers:submission_edit", args=[submission.pk]), {
        "name": "钟秀兰", "id_number": make_id("331102", "19700305", "271"), "org": reviewed["331102"].pk,
        "employer": "丽水市莲都区人民医院", "honor_title": "丽水市劳动模范", "honor_year": "2015"})
    submission.refresh_from_db()
    assert (submission.status, submission.rounds) == ("pending", 2)

    response = city.post(reverse("workers:submission_approve", args=[submission.pk]), {"comment": "同意"})
    assert response.status_code == 302
    worker = Worker.objects.get(name="钟秀兰")
    assert worker.employer == "丽水市莲都区人民医院" and worker.highest_level_rank == 2
    assert "钟秀兰" in city.get(reverse("workers:list")).content.decode()
    assert county.get(reverse("workers:card", args=[worker.pk])).status_code == 200


def test_it_submits_a_change_and_the_history_shows_its_diff(reviewed, clients, users):
    worker = services.worker_create(actor=users[Role.CITY_STAFF], org=reviewed["331102"], name="李四",
                                    employer="旧单位")
    county, city = clients[Role.COUNTY_STAFF], clients[Role.CITY_STAFF]
    county.get(reverse("workers:edit", args=[worker.pk]))
    county.post(reverse("workers:edit", args=[worker.pk]), {"name": "李四", "org": reviewed["331102"].pk,
                                                           "employer": "新单位"})
    submission = Submission.objects.get(kind="worker_update")
    assert Worker.objects.get(pk=worker.pk).employer == "旧单位"
    page = city.get(reverse("workers:submission", args=[submission.pk])).content.decode()
    assert "旧单位" in page and "新单位" in page
    assert "有未办结的报送" in county.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    city.post(reverse("workers:submission_approve", args=[submission.pk]))
    history = county.get(reverse("workers:history", args=[worker.pk])).content.decode()
    assert "工作单位" in history and "旧单位" in history and "新单位" in history
    assert "t_city" in history or users[Role.CITY_STAFF].full_name in history


def test_it_submits_honors_from_the_workers_page(reviewed, clients, users):
    worker = services.worker_create(actor=users[Role.CITY_STAFF], org=reviewed["331102"], name="李四")
    county = clients[Role.COUNTY_STAFF]
    county.post(reverse("workers:honor_add", args=[worker.pk]), {"title": "浙江省劳动模范", "year": "2020"})
    assert not Honor.objects.filter(worker=worker).exists()
    assert Submission.objects.get().kind == "honor_add"


def test_it_lets_the_city_edit_directly_and_marks_it(reviewed, clients, users):
    worker = services.worker_create(actor=users[Role.CITY_STAFF], org=reviewed["331102"], name="李四")
    city = clients[Role.CITY_STAFF]
    assert 'data-testid="save-worker">保存<' in city.get(reverse("workers:edit", args=[worker.pk])).content.decode()
    city.post(reverse("workers:edit", args=[worker.pk]), {"name": "李四", "org": reviewed["331102"].pk,
                                                         "employer": "直接改"})
    assert Worker.objects.get(pk=worker.pk).employer == "直接改"
    assert "审核单位直接修改" in city.get(reverse("workers:history", args=[worker.pk])).content.decode()


def test_it_keeps_other_counties_out_of_a_submission(reviewed, clients):
    post_new_worker(clients[Role.COUNTY_STAFF], reviewed)
    submission = Submission.objects.get()
    other = clients["county_staff_qy"]
    assert other.get(reverse("workers:submission", args=[submission.pk])).status_code == 404
    assert "钟秀兰" not in other.get(reverse("workers:submissions") + "?status=all").content.decode()


def test_it_submits_a_roster_import_and_imports_it_on_approval(reviewed, clients, tmp_path,
                                                               django_capture_on_commit_callbacks):
    county, city = clients[Role.COUNTY_STAFF], clients[Role.CITY_STAFF]
    people = [p for p in PEOPLE if p[1] == "331102"]
    path = write_ledger(tmp_path, "名册", "莲都区劳模花名册", ["序号", "姓名", "公民身份号码", "荣誉称号", "表彰年份"],
                        [[i, p[0], person_id(p), "丽水市劳动模范", 2015] for i, p in enumerate(people, 1)])
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        response = county.post(reverse("workers:import"), {"file": fh, "org": reviewed["331102"].pk})
    preview = Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert preview.status == "done", preview.error
    response = county.post(reverse("workers:import_commit", args=[preview.pk]))
    submission = Submission.objects.get(kind="roster_import")
    assert response.url == reverse("workers:submission", args=[submission.pk])
    assert not Worker.objects.filter(name=people[0][0]).exists()
    page = city.get(response.url).content.decode()
    assert f"新增 {len(people)} 人" in page, submission.summary
    with django_capture_on_commit_callbacks(execute=True):
        response = city.post(reverse("workers:submission_approve", args=[submission.pk]))
    job = Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert job.status == "done", job.error
    assert Worker.objects.filter(name=people[0][0]).exists()
    assert Submission.objects.get(pk=submission.pk).status == "approved"


DECISION = """丽水市总工会关于表彰2023年度丽水市劳动模范的决定
丽工〔2023〕12号
授予以下同志“丽水市劳动模范”称号:
莲都区:张建国、李秀英
"""


def test_it_submits_an_award_decision_and_writes_it_on_approval(reviewed, clients, users):
    county, city = clients[Role.COUNTY_STAFF], clients[Role.CITY_STAFF]
    response = county.post(reverse("workers:decision_apply"), {"text": DECISION, "accept": ["0", "1"]})
    submission = Submission.objects.get(kind="decision")
    assert response.url == reverse("workers:submission", args=[submission.pk])
    assert not Honor.objects.exists()
    city.post(reverse("workers:submission_approve", args=[submission.pk]))
    assert Honor.objects.filter(document_no="丽工〔2023〕12号").count() == 2
    assert WorkerChange.objects.filter(submission=submission).count() == 2


def test_it_counts_waiting_and_returned_submissions_on_the_dashboards(reviewed, clients, users):
    county, city = clients[Role.COUNTY_STAFF], clients[Role.CITY_STAFF]
    post_new_worker(county, reviewed)
    submission = Submission.objects.get()
    page = city.get(reverse("dashboard")).content.decode()
    assert "待审核报送" in page and "?status=pending" in page
    city.post(reverse("workers:submission_return", args=[submission.pk]), {"comment": "请补充证书编号"})
    assert "被退回的报送" in county.get(reverse("dashboard")).content.decode()
    listing = county.get(reverse("workers:submissions") + "?status=returned").content.decode()
    assert "钟秀兰" in listing


def test_it_audits_the_full_values_a_corrected_change_starts_from(reviewed, clients, users):
    from laomo.core.models import AuditEntry

    worker = services.worker_create(actor=users[Role.CITY_STAFF], org=reviewed["331102"], name="李四",
                                    id_number=make_id("331102", "19650312"))
    county = clients[Role.COUNTY_STAFF]
    county.post(reverse("workers:edit", args=[worker.pk]), {"name": "李四", "org": reviewed["331102"].pk,
                                                           "id_number": worker.id_number, "employer": "新单位"})
    submission = Submission.objects.get()
    assert set(review_payload(submission)["fields"]) == {"employer"}  # only what differs is submitted
    before = AuditEntry.objects.filter(action="core.pii.reveal").count()
    page = county.get(reverse("workers:submission_edit", args=[submission.pk])).content.decode()
    assert worker.id_number in page and 'value="新单位"' in page
    assert AuditEntry.objects.filter(action="core.pii.reveal").count() == before + 1


def review_payload(submission):
    from laomo.workers.review import payload_of

    return payload_of(submission)


def test_it_lets_the_sysadmin_turn_review_on_for_the_city(orgs, clients):
    from laomo.core.models import AuditEntry

    city = orgs["331100"]
    response = clients[Role.SYSADMIN].post(reverse("orgs:org_edit", args=[city.pk]), {
        "code": city.code, "name": city.name, "short_name": city.short_name, "kind": city.kind,
        "parent": city.parent_id or "", "sort_order": city.sort_order, "is_active": "on", "registry_review": "on"})
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=city.pk).registry_review
    assert AuditEntry.objects.filter(action="orgs.org.update", changes__has_key="registry_review").exists()
    response = clients[Role.COUNTY_STAFF].get(reverse("workers:create"))
    assert 'data-testid="save-worker">报送审核<' in response.content.decode()
