"""Who sees what (county, team leader, worker) by list, detail, search, export and guessed id; and the
recommendation of candidates with its reasons."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest

from conftest import login_client
from laomo.core.actors import SYSTEM
from laomo.volunteering import selectors, services
from laomo.volunteering.models import ServiceRequest

from .factories import make_record, make_request, make_team, make_worker


@pytest.fixture
def two_counties(orgs, users):
    qy, ld = orgs["331126"], orgs["331102"]
    qy_worker = make_worker(qy, "叶长文", specialties="食用菌栽培、香菇")
    qy_worker.user = users["worker"]
    qy_worker.save(update_fields=["user"])
    qy_team = make_team(qy, "医疗卫生服务队", "medical", leader=users["team_leader"])
    qy_other = make_team(qy, "电力服务队", "power")
    ld_team = make_team(ld, "莲都区劳模志愿服务队", "technical")
    return {
        "qy_team": qy_team, "ld_team": ld_team, "qy_other": qy_other, "qy_worker": qy_worker,
        "qy_record": make_record(qy_team, date(2022, 5, 1), 40, workers=[qy_worker]),
        "qy_other_record": make_record(qy_other, date(2022, 5, 2), 11),
        "ld_record": make_record(ld_team, date(2022, 5, 3), 25),
        "qy_request": make_request(qy, description="庆元的需求:香菇烂棒"),
        "ld_request": make_request(ld, category="power", description="莲都的需求:电路跳闸"),
    }


@pytest.mark.django_db
def test_it_keeps_a_county_inside_its_own_records(two_counties, clients):
    ld = clients["county_staff"]  # 莲都
    d = two_counties
    page = ld.get("/volunteering/records/").content.decode()
    assert "莲都区劳模志愿服务队" in page and "医疗卫生服务队" not in page
    assert ld.get("/volunteering/records/?q=竹口镇").content.decode().count("record_detail") == 0
    assert ld.get(f"/volunteering/records/{d['qy_record'].pk}/").status_code == 404
    assert ld.get(f"/volunteering/requests/{d['qy_request'].pk}/").status_code == 404
    assert ld.get(f"/volunteering/teams/{d['qy_team'].pk}/").status_code == 404
    assert "庆元的需求" not in ld.get("/volunteering/requests/?q=香菇").content.decode()
    assert "莲都的需求" in ld.get("/volunteering/requests/").content.decode()
    for url in ("/volunteering/records/?format=xlsx", "/volunteering/requests/?format=xlsx",
                "/volunteering/teams/?format=xlsx"):
        wb = openpyxl.load_workbook(BytesIO(b"".join(ld.get(url).streaming_content)))
        text = str(list(wb.active.iter_rows(values_only=True)))
        assert "医疗卫生服务队" not in text and "庆元" not in text, url
    assert ld.post(f"/volunteering/requests/{d['qy_request'].pk}/dispatch/",
                   {"team": d["ld_team"].pk}).status_code == 404


@pytest.mark.django_db
def test_it_shows_a_team_leader_only_their_team(two_counties, users):
    d = two_counties
    leader = users["team_leader"]
    assert set(selectors.team_base(leader)) == {d["qy_team"]}
    assert set(selectors.record_base(leader)) == {d["qy_record"]}
    c = login_client(leader)
    assert c.get(f"/volunteering/records/{d['qy_other_record'].pk}/").status_code == 404
    assert c.get(f"/volunteering/teams/{d['qy_team'].pk}/").status_code == 200
    services.request_dispatch(actor=SYSTEM, request=d["qy_request"], team=d["qy_team"])
    assert list(selectors.request_base(leader)) == [d["qy_request"]]
    assert "庆元的需求" in c.get("/volunteering/me/").content.decode()


@pytest.mark.django_db
def test_it_shows_the_leader_the_year_and_an_overdue_mark_on_their_orders(two_counties, users):
    """Issue 15 item 3: the phone page read "承诺 08-06" with no year and no sign that it was late."""
    d = two_counties
    services.request_dispatch(actor=SYSTEM, request=d["qy_request"], team=d["qy_team"])
    ServiceRequest.objects.filter(pk=d["qy_request"].pk).update(promised_date=date(2021, 8, 6))
    page = login_client(users["team_leader"]).get("/volunteering/me/").content.decode()
    assert "承诺 2021-08-06 前完成" in page
    assert 'data-testid="my-overdue"' in page


@pytest.mark.django_db
def test_it_shows_a_worker_only_their_own_service(two_counties, users):
    d = two_counties
    worker = users["worker"]
    assert set(selectors.record_base(worker)) == {d["qy_record"]}
    assert not selectors.request_base(worker).exists()
    c = login_client(worker)
    assert c.get(f"/volunteering/records/{d['qy_record'].pk}/").status_code == 200
    assert c.get(f"/volunteering/records/{d['qy_other_record'].pk}/").status_code == 404
    assert c.get("/volunteering/records/").status_code == 403  # the staff list is not for workers
    services.request_dispatch(actor=SYSTEM, request=d["qy_request"], team=d["qy_team"], worker=d["qy_worker"])
    assert c.get(f"/volunteering/requests/{d['qy_request'].pk}/").status_code == 200
    assert c.get(f"/volunteering/requests/{d['ld_request'].pk}/").status_code == 404


@pytest.mark.django_db
def test_it_recommends_the_fungus_specialist_for_mushroom_rot(orgs, users):
    qy, ld = orgs["331126"], orgs["331102"]
    make_worker(qy, "叶长文", specialties="食用菌栽培、菌种")
    make_worker(qy, "张电工", specialties="电力检修、电器维修")
    far = make_worker(ld, "李菌", specialties="食用菌栽培")
    busy = make_worker(qy, "吴菇", specialties="食用菌栽培")
    team = make_team(qy, "食用菌技术指导服务队", "fungus")
    make_team(qy, "电力服务队", "power")
    for _ in range(2):  # two open requests already on 吴菇
        services.request_dispatch(actor=SYSTEM, request=make_request(qy), worker=busy)
    req = make_request(qy, category="other", description="家里的香菇 烂棒 很多,怎么办")
    rec = selectors.recommend(user=users["county_staff_qy"], request=req)
    names = [c.obj.name for c in rec["workers"]]
    assert names[0] == "叶长文", names
    assert "张电工" not in names
    assert names.index("吴菇") > names.index("叶长文")
    top = rec["workers"][0]
    assert any("食用菌" in r and "香菇" in r for r in top.reasons), top.reasons
    assert any("同县" in r for r in top.reasons) and any("无在办" in r for r in top.reasons)
    assert rec["teams"][0].obj == team and any("香菇" in r for r in rec["teams"][0].reasons)
    # The city sees 莲都's specialist too, ranked after the same-county one.
    city = [c.obj.name for c in selectors.recommend(user=users["city_staff"], request=req)["workers"]]
    assert city.index("叶长文") < city.index(far.name)
    # A 庆元 clerk is not shown 莲都's worker (outside their scope).
    assert far.name not in names
