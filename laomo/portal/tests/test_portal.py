"""The public portal: submit, track, rate; abuse: captcha, length limits, HTML/script escaped, rate limit."""

import re

import pytest
from django.core import signing
from django.core.cache import cache

from laomo.core.actors import SYSTEM
from laomo.portal import guard
from laomo.volunteering import services
from laomo.volunteering.models import ServiceRequest
from laomo.volunteering.tests.factories import make_request, make_team, make_worker

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _answer(page: str) -> tuple[str, str]:
    token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    data = signing.loads(token, salt=guard.CAPTCHA_SALT)
    for guess in range(0, 82):
        if guard._digest(data["n"], str(guess)) == data["h"]:
            return token, str(guess)
    raise AssertionError("no answer")


def _form(client, orgs, **extra):
    token, answer = _answer(client.get("/portal/request/").content.decode())
    data = {"org": orgs["331126"].pk, "town": "竹口镇", "village": "黄坛村", "category": "fungus",
            "description": "香菇烂棒比较多,想请专家看看", "contact_name": "张大明", "contact_phone": "13905781234",
            "captcha_token": token, "captcha_answer": answer}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_it_takes_a_request_and_shows_the_tracking_page(client, orgs):
    assert client.get("/portal/").status_code == 200
    response = client.post("/portal/request/", _form(client, orgs))
    req = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/track/{req.tracking_code}/"
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{12}", req.tracking_code) and req.submit_ip == "127.0.0.1"
    page = client.get(response["Location"]).content.decode()
    assert req.tracking_code in page and "139****1234" in page and "待审核" in page
    assert "张大明" not in page and "13905781234" not in page  # no PII beyond a masked phone
    assert client.get("/portal/track/ABCDEFGHJKMN/").status_code == 404
    assert client.get(f"/portal/track/?code={req.tracking_code.lower()}")["Location"].endswith(
        f"/portal/track/{req.tracking_code}/")


@pytest.mark.django_db
def test_it_offers_the_public_places_not_union_names(client, orgs):
    """Issue 15 item 7: the portal listed 莲都区总工会 and 市本级(市直) where the public expects a place."""
    page = client.get("/portal/request/").content.decode()
    select = page.split('name="org"')[1].split("</select>")[0]
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
    assert "莲都区" in options and "丽水市本级" in options and "景宁畲族自治县" in options
    assert not any("总工会" in o or "市直" in o for o in options)
    client.post("/portal/request/", _form(client, orgs, org=orgs["331101"].pk))
    track = client.get(f"/portal/track/{ServiceRequest.objects.get().tracking_code}/").content.decode()
    assert "丽水市本级 竹口镇" in track


@pytest.mark.django_db
def test_it_shows_the_tracking_code_in_groups_and_takes_it_back_with_separators(client, orgs):
    """Issue 15 item 7: a 12-character code is hard to read over the phone; it reads in groups of four."""
    client.post("/portal/request/", _form(client, orgs))
    code = ServiceRequest.objects.get().tracking_code
    page = client.get(f"/portal/track/{code}/").content.decode()
    groups = "".join(f"<span>{code[i:i + 4]}</span>" for i in (0, 4, 8))
    assert f'data-testid="tracking-code">{groups}</strong>' in page
    spoken = f"{code[:4]}-{code[4:8].lower()} {code[8:]}"
    response = client.get("/portal/track/", {"code": spoken})
    assert response.status_code == 302 and response["Location"] == f"/portal/track/{code}/"


@pytest.mark.django_db
def test_it_refuses_wrong_reused_and_expired_captchas(client, orgs):
    data = _form(client, orgs)
    wrong = client.post("/portal/request/", {**data, "captcha_answer": "999"})
    assert wrong.status_code == 400 and "验证题答案不正确" in wrong.content.decode()
    assert 'value="香菇烂棒比较多' in wrong.content.decode() or "香菇烂棒比较多" in wrong.content.decode()
    assert client.post("/portal/request/", data).status_code == 302
    again = client.post("/portal/request/", data)  # the same token twice
    assert again.status_code == 400 and "已使用过" in again.content.decode()
    forged = client.post("/portal/request/", {**_form(client, orgs), "captcha_token": "x:y:z"})
    assert "验证题无效" in forged.content.decode()
    honeypot = client.post("/portal/request/", {**_form(client, orgs), "website": "http://spam"})
    assert honeypot.status_code == 400
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_over_long_input_with_clear_messages(client, orgs):
    for field, value, message in [("description", "长" * 1001, "不能超过 1000 个字"),
                                  ("contact_name", "名" * 31, "不能超过 30 个字"),
                                  ("town", "镇" * 51, "不能超过 50 个字"),
                                  ("contact_phone", "12345", "电话")]:
        page = client.post("/portal/request/", _form(client, orgs, **{field: value})).content.decode()
        assert message in page, field
    assert ServiceRequest.objects.count() == 0


@pytest.mark.django_db
def test_it_escapes_html_and_script_everywhere_it_is_shown(client, orgs, clients):
    client.post("/portal/request/", _form(client, orgs, description=f"香菇烂棒 {XSS}", town=f"竹口{XSS}"[:50]))
    req = ServiceRequest.objects.get()
    pages = [client.get(f"/portal/track/{req.tracking_code}/").content.decode(),
             clients["county_staff_qy"].get(f"/volunteering/requests/{req.pk}/").content.decode(),
             clients["county_staff_qy"].get("/volunteering/requests/").content.decode(),
             clients["county_staff_qy"].get("/volunteering/?year=2022").content.decode()]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[0]
    invalid = client.post("/portal/request/", _form(client, orgs, description=XSS, captcha_answer="")).content.decode()
    assert "<script>alert" not in invalid


@pytest.mark.django_db
def test_it_limits_100_submissions_from_one_ip_in_a_minute(client, orgs):
    forms = [_form(client, orgs) for _ in range(100)]  # each with a fresh, correct captcha
    statuses = [client.post("/portal/request/", data).status_code for data in forms]
    assert statuses[:guard.SUBMIT_LIMIT] == [302] * guard.SUBMIT_LIMIT
    assert set(statuses[guard.SUBMIT_LIMIT:]) == {429}
    refused = client.post("/portal/request/", forms[-1])
    assert "提交过于频繁" in refused.content.decode() and "未保存" in refused.content.decode()
    assert ServiceRequest.objects.count() == guard.SUBMIT_LIMIT  # nothing stored from refused submissions
    other = client.post("/portal/request/", forms[-1], REMOTE_ADDR="10.9.8.7")  # another IP is not affected
    assert other.status_code == 302


@pytest.mark.django_db
def test_it_lets_the_requester_rate_once_after_completion(client, orgs, users):
    from datetime import date
    from decimal import Decimal

    qy = orgs["331126"]
    req = make_request(qy)
    early = client.post(f"/portal/track/{req.tracking_code}/rate/", {"rating": "5"})
    assert early.status_code == 400 and "服务完成后才能评价" in early.content.decode()
    w = make_worker(qy, "叶长文")
    team = make_team(qy, "食用菌技术指导服务队", "fungus", members=[w])
    services.request_dispatch(actor=SYSTEM, request=req, team=team)
    services.request_accept(actor=SYSTEM, request=req)
    services.request_complete(actor=SYSTEM, request=req, date=date.today(), place_kind="village", place="竹口镇",
                              content="指导", person_times=2, volunteers=[{"worker": w, "hours": Decimal("2")}])
    page = client.get(f"/portal/track/{req.tracking_code}/").content.decode()
    assert 'data-testid="rate-form"' in page
    too_long = client.post(f"/portal/track/{req.tracking_code}/rate/", {"rating": "5", "comment": "好" * 301})
    assert too_long.status_code == 400 and "不能超过 300 个字" in too_long.content.decode()
    ok = client.post(f"/portal/track/{req.tracking_code}/rate/", {"rating": "4", "comment": f"很好{XSS}"})
    assert ok.status_code == 302
    req.refresh_from_db()
    assert req.status == "rated" and req.rating == 4
    twice = client.post(f"/portal/track/{req.tracking_code}/rate/", {"rating": "1"})
    assert twice.status_code == 400
    assert "<script>alert" not in client.get(f"/portal/track/{req.tracking_code}/").content.decode()
