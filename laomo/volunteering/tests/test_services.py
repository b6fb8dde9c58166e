"""Teams, members, records with hours, mobilizations and certificates: every rule and refusal."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from laomo.core.models import AuditEntry
from laomo.volunteering import services
from laomo.volunteering.models import ServiceHours, ServiceRecord

from .factories import make_record, make_team, make_worker


@pytest.mark.django_db
def test_it_builds_teams_with_sub_teams_and_refuses_bad_ones(orgs, users):
    qy, ld = orgs["331126"], orgs["331102"]
    tech = services.team_create(actor=users["county_staff_qy"], org=qy, name="劳模技术服务队", team_type="technical",
                                founded_on=date(2020, 1, 1), base="庆工益之家")
    sub = services.team_create(actor=users["county_staff_qy"], org=qy, name="医疗卫生服务队", team_type="medical",
                               parent=tech, founded_on=date(2020, 1, 1), leader=users["team_leader"])
    assert sub.parent == tech and AuditEntry.objects.filter(action="volunteering.team.create").count() == 2
    refusals = [
        ({"name": "劳模技术服务队", "team_type": "legal"}, "name"),  # same name in the unit
        ({"name": "孙队", "team_type": "legal", "parent": sub}, "parent"),  # three levels
        ({"name": "X队", "team_type": "legal", "leader": users["worker"]}, "leader"),  # not a team leader
        ({"name": "Y队", "team_type": "legal", "founded_on": timezone.localdate() + timedelta(days=1)}, "founded_on"),
    ]
    for extra, field in refusals:
        kwargs = {"org": qy, "founded_on": date(2020, 1, 1), **extra}
        with pytest.raises(ValidationError) as exc:
            services.team_create(actor=users["county_staff_qy"], **kwargs)
        assert field in exc.value.message_dict, extra
    with pytest.raises(PermissionDenied):  # another county's staff
        services.team_create(actor=users["county_staff"], org=qy, name="Z队", team_type="legal",
                             founded_on=date(2020, 1, 1))
    with pytest.raises(PermissionDenied):  # a record may not be moved out of scope
        services.team_update(actor=users["county_staff_qy"], team=sub, org=ld)
    with pytest.raises(ValidationError):  # dissolve the parent before its sub-team
        services.team_dissolve(actor=users["county_staff_qy"], team=tech, dissolved_on=date(2023, 1, 1), reason="合并")


@pytest.mark.django_db
def test_it_lets_a_leader_manage_members_of_their_team_only(orgs, users):
    qy = orgs["331126"]
    mine = make_team(qy, "医疗卫生服务队", "medical", leader=users["team_leader"])
    other = make_team(qy, "电力服务队", "power")
    w = make_worker(qy, "范海菊")
    m = services.member_add(actor=users["team_leader"], team=mine, worker=w, duty="副队长")
    with pytest.raises(ValidationError):
        services.member_add(actor=users["team_leader"], team=mine, worker=w)
    with pytest.raises(PermissionDenied):
        services.member_add(actor=users["team_leader"], team=other, name="某人")
    v = services.member_add(actor=users["team_leader"], team=mine, name="刘护士", phone="13957812345")
    assert v.phone_masked == "139****2345" and v.phone == "13957812345"
    entry = AuditEntry.objects.filter(action="volunteering.team.member_add").last()
    assert "13957812345" not in str(entry.changes)
    with pytest.raises(ValidationError):
        services.member_add(actor=users["team_leader"], team=mine, name="张三", phone="123")
    services.member_remove(actor=users["team_leader"], member=m, reason="调离")
    with pytest.raises(ValidationError):
        services.member_remove(actor=users["team_leader"], member=m)


@pytest.mark.django_db
def test_it_logs_records_with_hours_and_refuses_bad_ones(orgs, users):
    qy = orgs["331126"]
    w1, w2 = make_worker(qy, "甲"), make_worker(qy, "乙")
    team = make_team(qy, members=[w1, w2], leader=users["team_leader"])
    record = services.record_create(actor=users["team_leader"], team=team, date=date(2022, 3, 1),
                                    place_kind="community", place="淤上塘根新时代小区", content="量血压、测血糖",
                                    person_times=85, volunteers=[{"worker": w1, "hours": "3.5"},
                                                                 {"worker": w2, "hours": Decimal("2")}])
    assert record.org == qy and record.team_type == "medical" and record.recorded_by == users["team_leader"]
    assert sorted(ServiceHours.objects.filter(record=record).values_list("hours", flat=True)) == [2, Decimal("3.5")]
    base = {"team": team, "date": date(2022, 3, 2), "place_kind": "village", "place": "竹口镇", "content": "义诊",
            "person_times": 10, "volunteers": [{"worker": w1, "hours": "2"}]}
    for extra, field in [({"date": timezone.localdate() + timedelta(days=1)}, "date"),
                         ({"person_times": -1}, "person_times"), ({"volunteers": []}, "volunteers"),
                         ({"volunteers": [{"worker": w1, "hours": "25"}]}, "volunteers"),
                         ({"volunteers": [{"worker": w1, "hours": "0"}]}, "volunteers"),
                         ({"volunteers": [{"worker": w1, "hours": "2"}, {"worker": w1, "hours": "1"}]}, "volunteers"),
                         ({"place": ""}, "place"), ({"place_kind": "moon"}, "place_kind")]:
        with pytest.raises(ValidationError) as exc:
            services.record_create(actor=users["team_leader"], **{**base, **extra})
        assert field in exc.value.message_dict, extra
    with pytest.raises(PermissionDenied):
        services.record_create(actor=users["county_staff"], **base)
    with pytest.raises(PermissionDenied):
        services.record_create(actor=users["viewer"], **base)
    assert ServiceRecord.objects.count() == 1
    services.record_update(actor=users["team_leader"], record=record, date=date(2022, 3, 1), place_kind="community",
                           place="淤上塘根新时代小区", content="量血压", person_times=90,
                           volunteers=[{"worker": w1, "hours": "4"}])
    record.refresh_from_db()
    assert record.person_times == 90 and record.volunteers.get().hours == 4
    assert AuditEntry.objects.filter(action="volunteering.record.update").exists()
    services.record_remove(actor=users["county_staff_qy"], record=record, reason="重复登记")
    assert ServiceRecord.objects.get(pk=record.pk).is_deleted  # soft delete


@pytest.mark.django_db
def test_it_runs_a_mobilization_with_a_roster_and_records(orgs, users):
    lq = orgs["331181"]
    staff = users["city_staff"]
    w = make_worker(lq, "范世法", specialties="蔬菜种植")
    m = services.mobilization_create(actor=staff, org=lq, name="6·20暴雨灾后自救", kind="emergency",
                                     team_type="agriculture", start_date=date(2022, 6, 20), end_date=date(2022, 7, 5),
                                     area="龙泉市", posts=["田间指导"])
    post = m.posts.get()
    services.roster_add(actor=staff, mobilization=m, worker=w, post=post, duty_from=date(2022, 6, 20),
                        duty_to=date(2022, 7, 5), role="技术指导")
    with pytest.raises(ValidationError):
        services.roster_add(actor=staff, mobilization=m, worker=w, post=post, duty_from=date(2022, 6, 20),
                            duty_to=date(2022, 6, 21))
    with pytest.raises(ValidationError):  # outside the period
        services.roster_add(actor=staff, mobilization=m, worker=w, duty_from=date(2022, 7, 1),
                            duty_to=date(2022, 7, 9))
    r = services.record_create(actor=staff, mobilization=m, date=date(2022, 6, 21), place_kind="village",
                               place="八都镇", content="清沟排水", person_times=46,
                               volunteers=[{"worker": w, "hours": "8"}])
    assert r.team is None and r.team_type == "agriculture" and r.org == lq
    with pytest.raises(ValidationError):
        services.record_create(actor=staff, mobilization=m, date=date(2022, 8, 1), place_kind="village",
                               place="八都镇", content="清沟", person_times=1, volunteers=[{"worker": w, "hours": "1"}])
    with pytest.raises(PermissionDenied):
        services.mobilization_create(actor=users["county_staff"], org=lq, name="x", kind="special",
                                     team_type="medical", start_date=date(2022, 1, 1), area="龙泉")


@pytest.mark.django_db
def test_it_issues_certificates_with_a_number_and_no_id_number(orgs, users):
    qy, ld = orgs["331126"], orgs["331102"]
    w = make_worker(qy, "叶长文", id_number="331126196503120017")
    team = make_team(qy, members=[w])
    make_record(team, date(2022, 3, 1), 20, workers=[w], hours="3")
    make_record(team, date(2022, 9, 1), 20, workers=[w], hours="2.5")
    make_record(team, date(2023, 2, 1), 20, workers=[w], hours="9")  # outside the period
    ld_team = make_team(ld, "莲都队", "technical", members=[w])
    make_record(ld_team, date(2022, 5, 1), 5, workers=[w], hours="4")  # recorded by 莲都: not 庆元's to certify
    c1 = services.certificate_issue(actor=users["county_staff_qy"], worker=w, org=qy, period_from=date(2022, 1, 1),
                                    period_to=date(2022, 12, 31))
    c2 = services.certificate_issue(actor=users["county_staff_qy"], worker=w, org=qy, period_from=date(2022, 1, 1),
                                    period_to=date(2022, 6, 30))
    year = timezone.localdate().year
    assert c1.number == f"331126-{year}-00001" and c2.number == f"331126-{year}-00002"
    assert c1.total_hours == Decimal("5.50") and c1.record_count == 2 and c2.total_hours == Decimal("3.00")
    assert "331126196503120017" not in str(c1.lines)
    with pytest.raises(ValidationError):
        services.certificate_issue(actor=users["county_staff_qy"], worker=w, org=qy, period_from=date(2021, 1, 1),
                                   period_to=date(2021, 12, 31))
    with pytest.raises(PermissionDenied):
        services.certificate_issue(actor=users["county_staff"], worker=w, org=qy, period_from=date(2022, 1, 1),
                                   period_to=date(2022, 12, 31))
    record = ServiceRecord.objects.filter(team=team, date=date(2022, 3, 1)).get()
    with pytest.raises(ValidationError):  # a certified record is not changed
        services.record_remove(actor=users["county_staff_qy"], record=record, reason="x")
    services.certificate_void(actor=users["county_staff_qy"], certificate=c2, reason="重开")
    services.certificate_void(actor=users["county_staff_qy"], certificate=c1, reason="重开")
    services.record_remove(actor=users["county_staff_qy"], record=record, reason="重复登记")
